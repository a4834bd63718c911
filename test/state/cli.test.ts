import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Command } from 'commander'
import { describe, expect, it } from 'vitest'
import { register } from '../../src/cli/commands/state.js'
import { JsonFileStore } from '../../src/state/json-file-store.js'
import { type DeadLetter, emptyState, type State } from '../../src/state/state-schema.js'
import { generation } from './fixtures/generation.js'

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0)

async function setup() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'seam-state-cli-'))
  const file = path.join(dir, 'state.json')
  let out = ''
  const run = async (...args: string[]) => {
    out = ''
    const program = new Command().exitOverride()
    register(program, {
      stdout: { write: (text: string) => (out += text) },
      now: () => NOW,
      cwd: () => dir,
      env: {},
    })
    await program.parseAsync(['node', 'seam-alerts', ...args])
    return out
  }
  const save = async (...states: State[]) => {
    const store = await JsonFileStore.open(file)
    for (const state of states) await store.save(state)
    await store.close()
  }
  return { dir, file, run, save }
}

const deadLetter = (id: string): DeadLetter => ({
  id,
  decision: { rule: 'r', kind: 'fire', group: {}, event_id: id, at: '', count: 1, suppressed: 0, event: {} },
  action: { type: 'slack', channel: '#ops' },
  actionRef: 'rule:r#0',
  target: 'slack:#ops',
  createdAt: NOW - 1000,
  attempts: 8,
  nextAttemptAt: NOW,
  lastError: 'channel_not_found',
  deadAt: NOW - 500,
  reason: 'channel_not_found',
})

describe('seam-alerts state', () => {
  it('show: a readable summary and --json', async () => {
    const { file, run, save } = await setup()
    const state = emptyState()
    state.source.cursor = new Date(NOW - 90_000).toISOString()
    state.source.seen = { e1: NOW, e2: NOW }
    state.rules.windows = { burst: { '{"device_id":"d1"}': [{ event_id: 'e1', at: NOW }] } }
    state.rules.timers = {
      open: { g: { event_id: 'e2', group: {}, openedAt: NOW, deadline: NOW + 60_000, event: {} } },
    }
    state.rules.incidents = { burst: { '{"device_id":"d1"}': { firedAt: NOW, event_id: 'e1' } } }
    state.deadLetters = [deadLetter('x')]
    await save(state)
    const text = await run('state', 'show', '--state', file)
    expect(text).toContain(`State file    ${file}`)
    expect(text).toMatch(/Cursor .*\(lag 1m 30s\)/)
    expect(text).toMatch(/Seen ids\s+2/)
    expect(text).toMatch(/Windows\s+1 open \(1 events\)/)
    expect(text).toMatch(/Timers\s+1 open/)
    expect(text).toMatch(/Incidents\s+1 open/)
    expect(text).toMatch(/Dead letters\s+1/)
    expect(text).toContain('Daemon        not running')
    const json = JSON.parse(await run('state', 'show', '--state', file, '--json'))
    expect(json).toMatchObject({ file, exists: true, lagMs: 90_000, seenIds: 2, deadLetters: { items: 1 } })
    expect(json.bytes).toBeGreaterThan(0)
  })

  it('show: finds the state file through --config, and says when there is none', async () => {
    const { dir, run } = await setup()
    await writeFile(
      path.join(dir, 'config.json'),
      JSON.stringify({ state: './data/s.json', slack: { token: '${MISSING_TOKEN}' } }),
    )
    expect(await run('state', 'show')).toContain(`No state file at ${path.join(dir, 'data', 's.json')}`)
    expect(await run('state', 'show', '--config', path.join(dir, 'config.json'))).toContain('data/s.json')
  })

  it('show on a damaged file fails with the recovery commands', async () => {
    const { file, run } = await setup()
    await writeFile(file, '{"version":1,')
    await expect(run('state', 'show', '--state', file)).rejects.toThrow(
      /state restore[\s\S]*state reset --from now/,
    )
  })

  it('restore: puts the .bak back after validating it, moving a damaged file aside', async () => {
    const { dir, file, run, save } = await setup()
    await save(generation(1), generation(2))
    await writeFile(file, '{"version":1,"source":')
    const text = await run('state', 'restore', '--state', file)
    expect(text).toContain(`Restored ${file} from ${file}.bak`)
    expect(JSON.parse(await readFile(file, 'utf8')).updatedAt).toBe(1)
    expect((await readdir(dir)).some((n) => n.startsWith('state.json.damaged-'))).toBe(true)
  })

  it('restore: refuses a damaged .bak, and refuses while a daemon holds the lock', async () => {
    const { file, run, save } = await setup()
    await save(generation(1), generation(2))
    const holder = await JsonFileStore.open(file)
    expect(await run('state', 'show', '--state', file)).toMatch(
      new RegExp(`Daemon +running: .*pid ${process.pid}`),
    )
    const error = await run('state', 'restore', '--state', file).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'STATE_LOCKED' })
    expect((error as Error).message).toContain(`pid ${process.pid}`)
    expect((error as Error).message).toContain('Stop the daemon before restoring')
    await holder.close()
    await writeFile(`${file}.bak`, '{"version":1')
    await expect(run('state', 'restore', '--state', file)).rejects.toThrow(
      /state\.json\.bak is damaged[\s\S]*reset/,
    )
    expect(JSON.parse(await readFile(file, 'utf8')).updatedAt).toBe(2)
  })

  it('reset --from now|ISO: a fresh state whose cursor and floor are that time', async () => {
    const { file, run, save } = await setup()
    await save(generation(5))
    expect(await run('state', 'reset', '--from', 'now', '--state', file)).toContain('kept at')
    let state = JSON.parse(await readFile(file, 'utf8'))
    expect(state.source).toEqual({
      cursor: new Date(NOW).toISOString(),
      floor: new Date(NOW).toISOString(),
      seen: {},
    })
    expect(JSON.parse(await readFile(`${file}.bak`, 'utf8')).updatedAt).toBe(5)
    await run('state', 'reset', '--from', '2025-12-31T00:00:00Z', '--state', file)
    state = JSON.parse(await readFile(file, 'utf8'))
    expect(state.source.cursor).toBe('2025-12-31T00:00:00.000Z')
    await expect(run('state', 'reset', '--from', 'yesterday', '--state', file)).rejects.toMatchObject({
      code: 'USAGE',
    })
    const holder = await JsonFileStore.open(file)
    await expect(run('state', 'reset', '--from', 'now', '--state', file)).rejects.toMatchObject({
      code: 'STATE_LOCKED',
    })
    await holder.close()
  })

  it('dead-letters: lists, and --retry [--id] moves them back to the outbox with attempts reset', async () => {
    const { file, run, save } = await setup()
    const state = emptyState()
    state.deadLetters = [deadLetter('a'), deadLetter('b'), deadLetter('c')]
    await save(state)
    const list = await run('state', 'dead-letters', '--state', file)
    expect(list.trim().split('\n')).toHaveLength(3)
    expect(list).toContain('a  -> slack:#ops  (8 attempts) channel_not_found')
    expect(await run('state', 'dead-letters', '--retry', '--id', 'b', '--state', file)).toContain(
      'Re-queued 1',
    )
    let saved = JSON.parse(await readFile(file, 'utf8')) as State
    expect(saved.deadLetters.map((d) => d.id)).toEqual(['a', 'c'])
    expect(saved.outbox).toHaveLength(1)
    expect(saved.outbox[0]).toMatchObject({ id: 'b', attempts: 0, nextAttemptAt: NOW })
    expect(saved.outbox[0]).not.toHaveProperty('deadAt')
    await expect(run('state', 'dead-letters', '--retry', '--id', 'nope', '--state', file)).rejects.toThrow(
      /No dead letter with id nope/,
    )
    await run('state', 'dead-letters', '--retry', '--state', file)
    saved = JSON.parse(await readFile(file, 'utf8')) as State
    expect(saved.deadLetters).toEqual([])
    expect(saved.outbox.map((o) => o.id)).toEqual(['b', 'a', 'c'])
    expect(await run('state', 'dead-letters', '--state', file)).toBe('No dead letters.\n')
  })
})
