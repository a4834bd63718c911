import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawnCli } from '../daemon/helpers/daemon-process.js'
import { type FakeSeam, startFakeSeam } from '../helpers/fake-seam.js'

// Issue 17 item 12: `"__proto__"` keys slipped past strict validation. These drive the real CLI.

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'seam-alerts-proto-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function ruleDir(name: string, text: string): Promise<string> {
  const rules = path.join(dir, name)
  await mkdir(rules, { recursive: true })
  await writeFile(path.join(rules, 'low-battery.json'), text)
  return rules
}

describe('`seam-alerts validate` rejects "__proto__" in a rule file', () => {
  it('a top-level "__proto__": {"enabled": false} no longer disables the rule silently', async () => {
    const rules = await ruleDir(
      'top',
      '{"id": "low-battery", "eventTypes": ["device.low_battery"], "__proto__": {"enabled": false}}',
    )
    const cli = spawnCli(['validate', '--rules', rules])
    const { code } = await cli.exited
    expect(cli.stdout()).toBe(
      `${path.join(rules, 'low-battery.json')}: $.__proto__: unknown field "__proto__"\n1 problem(s) in ${rules}\n`,
    )
    expect(code).toBe(1)
  }, 60_000)

  it('also deep inside the rule', async () => {
    const rules = await ruleDir(
      'deep',
      JSON.stringify({
        id: 'low-battery',
        eventTypes: ['device.low_battery'],
        actions: [{ type: 'console' }],
      }).replace('{"type":"console"}', '{"type":"console","__proto__":{"title":"x"}}'),
    )
    const cli = spawnCli(['validate', '--rules', rules])
    const { code } = await cli.exited
    expect(cli.stdout()).toContain(
      `${path.join(rules, 'low-battery.json')}: $.actions[0].__proto__: unknown field "__proto__"\n`,
    )
    expect(code).toBe(1)
  }, 60_000)
})

describe('`seam-alerts run --once` rejects "__proto__" in the config file with exit code 78', () => {
  let fake: FakeSeam
  beforeAll(async () => {
    fake = await startFakeSeam()
  })
  afterAll(async () => {
    await fake.close()
  })

  it('"server": {"__proto__": {"host": "0.0.0.0"}} does not bind to all interfaces', async () => {
    const rules = await ruleDir(
      'run',
      '{"id": "low-battery", "eventTypes": ["device.low_battery"], "actions": [{"type": "console"}]}',
    )
    const config = path.join(dir, 'config.json')
    await writeFile(
      config,
      JSON.stringify({
        seam: { endpoint: fake.url, apiKey: fake.apiKey, requestTimeout: '5s' },
        rules,
        state: path.join(dir, 'state.json'),
        server: { port: 0 },
      }).replace('"server":{"port":0}', '"server":{"__proto__":{"host":"0.0.0.0","port":0}}'),
    )
    const cli = spawnCli(['run', '--once', '--config', config])
    const { code } = await cli.exited
    expect(cli.stderr()).toContain(`seam-alerts: ${config}: $.server: unknown field "__proto__"\n`)
    expect(cli.logs().some((line) => typeof line.health === 'string')).toBe(false)
    expect(code).toBe(78)
  }, 60_000)
})
