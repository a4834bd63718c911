import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { InputIssue } from '../../src/errors.js'
import { silentLogger } from '../../src/log.js'
import type { RuleSet } from '../../src/rules/rule-set.js'
import { RuleWatcher } from '../../src/rules/rule-watcher.js'

const ruleFile = (id: string, throttle = '5m') =>
  JSON.stringify({ id, eventTypes: ['device.tampered'], throttle })

describe('RuleWatcher (hot reload)', () => {
  const watchers: RuleWatcher[] = []
  afterEach(() => {
    for (const watcher of watchers.splice(0)) watcher.stop()
  })

  async function start(files: Record<string, string>) {
    const dir = await mkdtemp(path.join(tmpdir(), 'watch-'))
    for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text)
    const changes: { ruleSet: RuleSet; issues: InputIssue[] }[] = []
    let notify: (() => void) | undefined
    const watcher = new RuleWatcher({
      dir,
      logger: silentLogger,
      debounceMs: 20,
      rescanMs: 0,
      env: {},
      onChange: (ruleSet, issues) => {
        changes.push({ ruleSet, issues })
        notify?.()
      },
    })
    watchers.push(watcher)
    const first = await watcher.start()
    const nextChange = () => new Promise<void>((resolve) => (notify = resolve))
    return { dir, watcher, first, changes, nextChange }
  }

  it('keeps the last good version of a broken rule and reports the problem', async () => {
    const { dir, watcher, first, changes } = await start({ 'a.json': ruleFile('a'), 'b.json': ruleFile('b') })
    expect(first.ruleSet.rules.map((r) => r.id)).toEqual(['a', 'b'])
    await writeFile(path.join(dir, 'a.json'), '{ "id": "a", ')
    await watcher.reload()
    const broken = changes.at(-1)!
    expect(broken.ruleSet.get('a')?.throttle).toBe(5 * 60_000)
    expect(broken.issues.map((i) => i.file)).toEqual([path.join(dir, 'a.json')])
    await writeFile(path.join(dir, 'a.json'), ruleFile('a', '10m'))
    await watcher.reload()
    expect(changes.at(-1)!.ruleSet.get('a')?.throttle).toBe(10 * 60_000)
    expect(changes.at(-1)!.issues).toEqual([])
  })

  it('removing a file removes its rule; an unchanged directory reports no change', async () => {
    const { dir, watcher, changes } = await start({ 'a.json': ruleFile('a'), 'b.json': ruleFile('b') })
    await watcher.reload()
    expect(changes).toHaveLength(0)
    await rm(path.join(dir, 'b.json'))
    await watcher.reload()
    expect(changes.at(-1)!.ruleSet.rules.map((r) => r.id)).toEqual(['a'])
  })

  it('a broken file with no good version yet is reported and not loaded', async () => {
    const { first } = await start({ 'a.json': ruleFile('a'), 'c.json': '{"id": "c", "eventTypes": []}' })
    expect(first.ruleSet.rules.map((r) => r.id)).toEqual(['a'])
    expect(first.issues[0]?.path).toBe('$.eventTypes')
  })

  it('notices a change through fs.watch', async () => {
    const { dir, changes, nextChange } = await start({ 'a.json': ruleFile('a') })
    const changed = nextChange()
    await writeFile(path.join(dir, 'n.json'), ruleFile('n'))
    await changed
    expect(changes.at(-1)!.ruleSet.rules.map((r) => r.id)).toEqual(['a', 'n'])
  })
})
