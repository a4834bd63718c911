import os from 'node:os'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { HistoryEntry } from '../../src/noise/history.js'
import type { SilenceView } from '../../src/noise/silence-ops.js'
import { JsonFileStore } from '../../src/state/json-file-store.js'
import { readStateFile } from '../../src/state/state-file.js'
import { emptyState } from '../../src/state/state-schema.js'
import { type FakeSeam, startFakeSeam } from '../helpers/fake-seam.js'
import { type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js'
import { type SmtpStandIn, startSmtp } from '../helpers/smtp-server.js'
import { type DaemonProcess, spawnCli } from './helpers/daemon-process.js'
import { type E2eDirs, makeDirs, writeConfig } from './helpers/setup.js'

const TOKEN = 'e2e-local-api-token-0123456789'
const ENV = { TEST_SLACK_TOKEN: 'xoxb-e2e-test-token', TEST_API_TOKEN: TOKEN }
const WITH_TOKEN = { server: { host: '127.0.0.1', port: 0, apiToken: '${TEST_API_TOKEN}' } }

let fake: FakeSeam
let slack: SlackStandIn
let smtp: SmtpStandIn
let dirs: E2eDirs
let daemons: DaemonProcess[] = []

beforeAll(async () => {
  fake = await startFakeSeam()
})
afterAll(async () => {
  await fake.close()
})
afterEach(async () => {
  for (const daemon of daemons) if (daemon.child.exitCode === null) daemon.kill('SIGKILL')
  await Promise.all(daemons.map((d) => d.exited))
  daemons = []
  await slack.close()
  await smtp.close()
  await dirs.cleanup()
})

async function setup(extra: Record<string, unknown>): Promise<void> {
  slack = await startSlackStandIn({ channelIds: false })
  smtp = await startSmtp()
  dirs = await makeDirs()
  const parts = { seamUrl: fake.url, apiKey: fake.apiKey, slackApiUrl: slack.apiUrl, smtpPort: smtp.port }
  await writeConfig(dirs, { ...parts, startFrom: new Date(Date.now() - 1000).toISOString() }, extra)
}

function startDaemon(): DaemonProcess {
  const daemon = spawnCli(['run', '--config', dirs.config], ENV)
  daemons.push(daemon)
  return daemon
}

async function stopDaemon(daemon: DaemonProcess): Promise<void> {
  daemon.kill('SIGTERM')
  expect((await daemon.exited).code).toBe(0)
}

/** Run the real CLI to its end. */
async function cli(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnCli([...args, '--config', dirs.config], ENV)
  const { code } = await child.exited
  return { code, stdout: child.stdout(), stderr: child.stderr() }
}

/** The id `silence add` printed: the last word of its last line. */
const printedId = (stdout: string) => stdout.trim().split('\n').at(-1)!.trim().split(/\s+/).at(-1)!

const listJson = async (...flags: string[]) => {
  const out = await cli('silence', 'list', '--json', ...flags)
  expect(out.code, out.stderr).toBe(0)
  return JSON.parse(out.stdout) as SilenceView[]
}

const savedSilences = async () => (await readStateFile(dirs.state))?.silences ?? []

async function api(base: string, method: string, path: string, body?: unknown, token?: string) {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {}
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  return { status: res.status, json: (await res.json()) as Record<string, unknown> & unknown[] }
}

const ADD = ['silence', 'add', '--matcher', 'rule=low-battery', '--matcher', 'device_id=dev_1']

/** History entries as the delivery stage records them, seeded into the state before the daemon starts. */
async function seedHistory(): Promise<void> {
  const now = Date.now()
  const entry = (
    ago: number,
    rule: string,
    device: string,
    outcome: HistoryEntry['outcome'],
  ): HistoryEntry => ({
    at: now - ago,
    rule,
    kind: 'fire',
    event_id: `evt_${rule}_${device}_${ago}`,
    labels: { rule, kind: 'fire', device_id: device },
    outcome,
    target: 'slack:#alerts',
  })
  const state = emptyState()
  state.history.push(
    entry(3 * 86_400_000, 'low-battery', 'dev_1', 'sent'),
    entry(3_600_000, 'low-battery', 'dev_2', 'sent'),
    entry(60_000, 'door-open', 'dev_1', 'dead-lettered'),
  )
  const store = await JsonFileStore.open(dirs.state)
  await store.save(state)
  await store.close()
}

/** Each CLI run starts node with tsx (a few seconds on a loaded 2-core machine); these tests run a dozen. */
const SLOW = { timeout: 180_000 }

describe('silence and history commands (real CLI, real daemon, fake Seam)', SLOW, () => {
  it('while the daemon runs: add, list and expire go through its API; the printed id works; history reads', async () => {
    await setup(WITH_TOKEN)
    await seedHistory()
    const daemon = startDaemon()
    const base = await daemon.healthUrl()

    const added = await cli(...ADD, '--duration', '2h', '--comment', 'battery swap')
    expect(added.code, added.stderr).toBe(0)
    expect(added.stdout).not.toContain('not running')
    const id = printedId(added.stdout)
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    // Durable before the CLI was answered.
    expect((await savedSilences()).map((s) => s.id)).toEqual([id])

    const listed = await api(base, 'GET', '/api/v1/silences')
    expect(listed.json).toEqual([
      expect.objectContaining({
        id,
        matchers: ['rule=low-battery', 'device_id=dev_1'],
        createdBy: os.userInfo().username,
        comment: 'battery swap',
        status: 'active',
        suppressed: 0,
      }),
    ])
    // Independent reads run side by side (each CLI run is a node start).
    const [json, table] = await Promise.all([listJson(), cli('silence', 'list')])
    expect(json).toEqual(listed.json)
    expect(table.stdout).toMatch(new RegExp(`^${id}\\s+active\\s`, 'm'))

    // The API itself: writes need the token; a bad body is named by its field.
    const body = { matchers: ['rule=x'], duration: '1h', comment: 'c' }
    expect((await api(base, 'POST', '/api/v1/silences', body)).status).toBe(401)
    expect((await api(base, 'POST', '/api/v1/silences', body, 'wrong-token')).status).toBe(401)
    const bad = await api(base, 'POST', '/api/v1/silences', { ...body, matchers: ['x~y'] }, TOKEN)
    expect(bad.status).toBe(400)
    expect(bad.json).toMatchObject({ issues: [{ field: '$.matchers[0]' }] })
    expect((await savedSilences()).map((s) => s.id)).toEqual([id])

    const expired = await cli('silence', 'expire', id)
    expect(expired.code, expired.stderr).toBe(0)
    expect(expired.stdout).toContain(`Silence ${id} expired`)
    // History: the CLI through the API, and the API itself, with the same filters.
    const [all, unknown, history, text] = await Promise.all([
      listJson('--expired'),
      cli('silence', 'expire', 'no-such-id'),
      cli('history', '--rule', 'low-battery', '--since', '1d', '--json'),
      cli('history', '--label', 'device_id=dev_1'),
    ])
    expect(all.map((s) => [s.id, s.status])).toEqual([[id, 'expired']])
    expect(unknown.code).toBe(1)
    expect(history.code, history.stderr).toBe(0)
    const rows = JSON.parse(history.stdout) as HistoryEntry[]
    expect(rows.map((e) => e.labels.device_id)).toEqual(['dev_2'])
    const byLabel = await api(base, 'GET', '/api/v1/alerts?label=device_id=dev_1')
    expect((byLabel.json as unknown as HistoryEntry[]).map((e) => e.rule)).toEqual([
      'low-battery',
      'door-open',
    ])
    expect(text.stdout).toMatch(/door-open\s+fire\s+dead-lettered\s+slack:#alerts/)

    await stopDaemon(daemon)
  })

  it('while the daemon is stopped: the CLI writes the state file under the lock; the daemon applies it on start', async () => {
    await setup(WITH_TOKEN)
    const [usage, noDuration] = await Promise.all([
      cli(...ADD, '--matcher', 'site~hq', '--duration', '2h', '--comment', 'x'),
      cli(...ADD, '--comment', 'no duration'),
    ])
    expect(usage.code).toBe(64)
    expect(usage.stderr).toContain('--matcher "site~hq"')
    expect(noDuration.code).toBe(64)

    const end = new Date(Date.now() + 3_600_000).toISOString()
    const added = await cli(
      ...ADD,
      '--end',
      end,
      '--comment',
      'planned work',
      '--author',
      'alice',
      '--no-summary',
    )
    expect(added.code, added.stderr).toBe(0)
    expect(added.stdout).toContain('The daemon is not running')
    const id = printedId(added.stdout)
    const offline = await listJson()
    expect(offline).toEqual([
      expect.objectContaining({ id, endsAt: end, createdBy: 'alice', noSummary: true, status: 'active' }),
    ])

    const daemon = startDaemon()
    const base = await daemon.healthUrl()
    const online = await api(base, 'GET', '/api/v1/silences')
    expect(online.json).toEqual(offline)
    // One made through the API has the same fields (and id format).
    const made = await api(
      base,
      'POST',
      '/api/v1/silences',
      { matchers: ['rule=x'], duration: '1h', comment: 'c' },
      TOKEN,
    )
    expect(made.status).toBe(201)
    expect(Object.keys(made.json).sort()).toEqual(
      Object.keys(offline[0]!)
        .filter((k) => k !== 'noSummary')
        .sort(),
    )
    expect(String(made.json.id)).toMatch(/^[0-9a-f-]{36}$/)
    await stopDaemon(daemon)

    const expired = await cli('silence', 'expire', id)
    expect(expired.code, expired.stderr).toBe(0)
    expect(expired.stdout).toContain('The daemon is not running')
    expect((await savedSilences()).find((s) => s.id === id)?.endsAt).not.toBe(end)
    const [left, history] = await Promise.all([listJson(), cli('history')])
    expect(left.map((s) => s.id)).toEqual([made.json.id])
    expect(history.stdout).toBe('No alerts in the history match.\n')
  })

  it('with no token configured: API writes get 403, and the CLI refuses to write behind the running daemon', async () => {
    await setup({})
    const daemon = startDaemon()
    const base = await daemon.healthUrl()
    const refused = await api(base, 'POST', '/api/v1/silences', {
      matchers: ['rule=x'],
      duration: '1h',
      comment: 'c',
    })
    expect(refused.status).toBe(403)
    expect(String(refused.json.error)).toContain('server.apiToken')

    const added = await cli(...ADD, '--duration', '2h', '--comment', 'battery swap')
    expect(added.code).toBe(1)
    expect(added.stderr).toMatch(/the daemon is running .* "server\.apiToken"/)
    expect(added.stderr).toContain('not changed behind a running daemon')
    expect(await savedSilences()).toEqual([])
    expect(await listJson()).toEqual([])
    await stopDaemon(daemon)
  })
})
