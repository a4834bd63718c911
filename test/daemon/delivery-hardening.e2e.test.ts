import { execFile } from 'node:child_process'
import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_STORED_EVENT } from '../../src/notify/bounded-event.js'
import { type FakeSeam, startFakeSeam } from '../helpers/fake-seam.js'
import { REPO_ROOT } from '../helpers/fixtures.js'
import { spawnCli } from './helpers/daemon-process.js'

/**
 * Issue 17, items 9 and 14, through the real CLI and daemon: alerts queued for a channel that is not configured
 * keep a bounded copy of a huge event (the state file stays small, and the alert says it was trimmed); insecure
 * setups are warned about at start; event data reaches the terminal without C1 controls or bidi overrides.
 */
const EVIL = 'evil\u009b31m\u202eexe.txt\u2066x\u2069'
const UNSAFE = /[\u0080-\u009f\u202a-\u202e\u2066-\u2069]/
const BIG = 200_000

let fake: FakeSeam
let dir: string
let config: string

const cli = (args: string[]) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/entry.ts', ...args], {
    cwd: REPO_ROOT,
    maxBuffer: 64 * 1024 ** 2,
  })

beforeAll(async () => {
  fake = await startFakeSeam()
  dir = await mkdtemp(path.join(os.tmpdir(), 'seam-alerts-delivery-'))
  await mkdir(path.join(dir, 'rules'))
  await writeFile(
    path.join(dir, 'rules', 'unlocked.json'),
    JSON.stringify({
      id: 'unlocked',
      eventTypes: ['lock.unlocked'],
      actions: [{ type: 'email', to: ['ops@example.com'] }],
    }),
  )
  const now = Date.now()
  for (let i = 0; i < 3; i++)
    fake.addEvent({
      event_type: 'lock.unlocked',
      event_id: `evt_big_${i}`,
      note: 'x'.repeat(BIG),
      occurred_at: new Date(now - 5000 + i).toISOString(),
    } as never)
  fake.addEvent({
    event_type: 'lock.unlocked',
    event_id: `evt_${EVIL}`,
    note: EVIL,
    occurred_at: new Date(now - 1000).toISOString(),
  } as never)
  config = path.join(dir, 'config.json')
  await writeFile(
    config,
    JSON.stringify({
      // 0.0.0.0 reaches the local fake, yet is not a loopback address: plain http to it is worth a warning.
      seam: {
        endpoint: `http://0.0.0.0:${new URL(fake.url).port}`,
        apiKey: fake.apiKey,
        startFrom: new Date(now - 60_000).toISOString(),
        requestTimeout: '5s',
      },
      rules: './rules',
      state: './state.json',
      console: true,
      server: false,
    }),
  )
  await chmod(config, 0o644)
}, 30_000)

afterAll(async () => {
  await fake.close()
  await rm(dir, { recursive: true, force: true })
})

describe('run --once with huge and hostile events', () => {
  let stdout = ''
  let stderr = ''
  let logs: Array<Record<string, unknown>> = []

  beforeAll(async () => {
    const daemon = spawnCli(['run', '--config', config, '--once'])
    const { code } = await daemon.exited
    stdout = daemon.stdout()
    stderr = daemon.stderr()
    logs = daemon.logs()
    expect(code, daemon.stderr()).toBe(0)
  }, 180_000)

  it('warns at start about plain http to a non-loopback host and a world-readable config with a literal key', () => {
    const warnings = logs.filter((line) => typeof line.insecure === 'string')
    expect(warnings.map((line) => line.insecure).sort()).toEqual(['config-file-mode', 'plain-http'])
    const text = warnings.map((line) => String(line.msg)).join('\n')
    expect(text).toContain('seam.endpoint is http:// to 0.0.0.0')
    expect(text).toContain('$.seam.apiKey')
    expect(text).toContain('mode 0644')
    expect(text).toContain('chmod 600')
    expect(text).not.toContain(fake.apiKey)
  })

  it('dead-letters the alerts with a bounded copy of each event: the state file stays small', async () => {
    const size = (await stat(path.join(dir, 'state.json'))).size
    expect(size).toBeLessThan(8 * MAX_STORED_EVENT)
    const { stdout: json } = await cli(['state', 'dead-letters', '--json', '--config', config])
    const dead = JSON.parse(json) as Array<{
      id: string
      decision: { eventTrimmed?: boolean; event: { note: string } }
    }>
    expect(dead).toHaveLength(4)
    const big = dead.find((item) => item.id.includes('evt_big_0'))
    expect(big?.decision.eventTrimmed).toBe(true)
    expect(big?.decision.event.note).toMatch(/^x{2048}… \(trimmed: 200000 chars\)$/)
  }, 180_000)

  it('the console alert says the event was trimmed, and carries no terminal controls or bidi overrides', () => {
    expect(stdout).toContain('event trimmed for storage')
    expect(stdout).toContain('evt_evil31mexe.txtx')
    expect(stdout).not.toMatch(UNSAFE)
    expect(stdout).not.toContain('x'.repeat(2049))
  })

  it('state dead-letters prints event ids without controls (text), or escaped (JSON, same value)', async () => {
    const { stdout: text } = await cli(['state', 'dead-letters', '--config', config])
    expect(text).toContain('unlocked:fire:evt_evil31mexe.txtx')
    expect(text).not.toMatch(UNSAFE)
    const { stdout: json } = await cli(['state', 'dead-letters', '--json', '--config', config])
    expect(json).not.toMatch(UNSAFE)
    expect(json).toContain('\\u009b')
    const ids = (JSON.parse(json) as Array<{ id: string }>).map((item) => item.id)
    expect(ids).toContain(`unlocked:fire:evt_${EVIL}:0`)
  }, 180_000)

  it('JSON log lines carry the event id with those characters escaped', () => {
    expect(stderr).not.toMatch(UNSAFE)
    const deadLine = logs.find(
      (line) => line.msg === 'alert dead-lettered' && JSON.stringify(line.ids).includes('evt_evil'),
    )
    expect(JSON.stringify(deadLine?.ids)).toContain(EVIL)
  })
})

describe('replay output', () => {
  it('prints decision lines with C1 controls and bidi overrides escaped (the JSON still parses to the same value)', async () => {
    const rules = path.join(dir, 'replay-rules')
    await mkdir(rules, { recursive: true })
    await writeFile(
      path.join(rules, 'by-note.json'),
      JSON.stringify({ id: 'by-note', eventTypes: ['lock.unlocked'], groupBy: ['note'], actions: [] }),
    )
    const events = path.join(dir, 'events.jsonl')
    const at = '2026-03-01T12:00:00.000Z'
    await writeFile(
      events,
      `${JSON.stringify({ event_id: `e_${EVIL}`, event_type: 'lock.unlocked', workspace_id: 'w', created_at: at, occurred_at: at, device_id: 'd', note: EVIL })}\n`,
    )
    const { stdout } = await cli(['replay', '--events', events, '--rules', rules])
    expect(stdout).not.toMatch(UNSAFE)
    const line = JSON.parse(stdout.trim().split('\n')[0]!) as { group: { note: string }; event_id: string }
    expect(line.group.note).toBe(EVIL)
    expect(line.event_id).toBe(`e_${EVIL}`)
  }, 180_000)
})
