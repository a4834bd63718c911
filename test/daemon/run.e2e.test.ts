import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type FakeSeam, startFakeSeam } from '../helpers/fake-seam.js'
import { type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js'
import { type SmtpStandIn, startSmtp } from '../helpers/smtp-server.js'
import { type DaemonProcess, spawnCli } from './helpers/daemon-process.js'
import { type E2eDirs, mailTrace, makeDirs, slackTrace, writeConfig } from './helpers/setup.js'

const ENV = { TEST_SLACK_TOKEN: 'xoxb-e2e-test-token' }

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

async function setup(extra: Record<string, unknown> = {}): Promise<void> {
  slack = await startSlackStandIn({ channelIds: false })
  smtp = await startSmtp()
  dirs = await makeDirs()
  await writeConfig(
    dirs,
    {
      seamUrl: fake.url,
      apiKey: fake.apiKey,
      slackApiUrl: slack.apiUrl,
      smtpPort: smtp.port,
      startFrom: new Date(Date.now() - 1000).toISOString(),
    },
    extra,
  )
}

function start(...args: string[]): DaemonProcess {
  const daemon = spawnCli(['run', '--config', dirs.config, ...args], ENV)
  daemons.push(daemon)
  return daemon
}

afterEach(async () => {
  for (const daemon of daemons) if (daemon.child.exitCode === null) daemon.kill('SIGKILL')
  await Promise.all(daemons.map((d) => d.exited))
  daemons = []
  await slack.close()
  await smtp.close()
  await dirs.cleanup()
})

/** What chat.postMessage received: channel as sent, fallback text, thread. */
const posts = () =>
  slack.posted().map((c) => ({
    channel: String(c.body.channel),
    text: String(c.body.text ?? ''),
    threadTs: c.body.thread_ts === undefined ? undefined : String(c.body.thread_ts),
  }))
const slackTraces = () => posts().map((p) => ({ channel: p.channel, ...slackTrace(p.text) }))
const mailTraces = () =>
  smtp.messages.map((m) => ({
    to: m.to && !Array.isArray(m.to) ? m.to.text : '',
    ...mailTrace(m.text ?? ''),
  }))

async function healthz(
  url: string,
): Promise<{ status: number; body: { status: string; reasons: string[] } }> {
  const res = await fetch(`${url}/healthz`)
  return { status: res.status, body: (await res.json()) as { status: string; reasons: string[] } }
}

async function until<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  what: string,
) {
  const end = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value) return value
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

describe('seam-alerts run (child process, official fake Seam, Slack stand-in, real SMTP)', () => {
  it('alerts, digests, reports an outage on /healthz and recovers, and stops cleanly on SIGTERM', async () => {
    await setup()
    const [lock, sensor] = fake.deviceIds
    // Before the start, so the first fetch reads both fires into the same digest.
    const battery = [lock, sensor].map((device) =>
      fake.addEvent({ event_type: 'device.low_battery', device_id: device, battery_level: 0.1 } as never),
    )
    const daemon = start()
    const health = await daemon.healthUrl()
    expect((await healthz(health)).status).toBe(200)
    const denied = [1, 2, 3].map(() => fake.addEvent({ event_type: 'lock.access_denied', device_id: lock }))
    const tampered = fake.addEvent({ event_type: 'device.tampered', device_id: sensor })
    await daemon.waitFor(() => posts().length >= 2 && smtp.messages.length >= 2, 20_000, 'alerts')

    // Seam outage: /healthz says 503 with the reason, the meta-alert goes to #ops; then recovery.
    fake.outage(true)
    const failing = await until(
      async () => {
        const h = await healthz(health)
        return h.status === 503 ? h : undefined
      },
      20_000,
      '/healthz 503',
    )
    expect(failing.body.status).toBe('failing')
    expect(failing.body.reasons[0]).toMatch(/^Seam failing since .*: /)
    await daemon.waitFor(() => posts().some((p) => p.channel === '#ops'), 20_000, 'the seam-down meta-alert')
    fake.outage(false)
    await until(async () => (await healthz(health)).status === 200, 20_000, '/healthz 200 again')
    await daemon.waitFor(
      () => posts().filter((p) => p.channel === '#ops').length >= 2,
      20_000,
      'the recovery',
    )

    // Exactly these messages, each once.
    expect(slackTraces().filter((t) => t.channel === '#security')).toEqual(
      expect.arrayContaining([
        { channel: '#security', rule: 'denied-burst', eventId: denied[2]!.event_id },
        { channel: '#security', rule: 'tampered', eventId: tampered.event_id },
      ]),
    )
    const ops = posts().filter((p) => p.channel === '#ops')
    expect(ops.map((p) => slackTrace(p.text)?.rule)).toEqual([
      'seam-alerts.monitor:seam-down',
      'seam-alerts.monitor:seam-down',
    ])
    expect(ops[1]?.threadTs).toBeDefined()
    expect(ops[1]?.text).toMatch(/^Resolved: /)
    expect(posts()).toHaveLength(4)

    const mails = mailTraces()
    expect(mails).toHaveLength(2)
    expect(mails).toEqual(
      expect.arrayContaining([{ to: 'ops@example.com', rule: 'denied-burst', eventId: denied[2]!.event_id }]),
    )
    const digest = smtp.messages.find((m) => m.subject?.includes('battery-digest'))
    expect(digest?.subject).toBe('[INFO] Digest for rule battery-digest: 2 fires in 2 groups')
    for (const event of battery) expect(digest?.text).toContain(event.event_id)
    expect(digest?.text).toMatch(/group\s+\| fires \| first seen\s+\| last seen\s+\| event ids/)

    // Metrics name the rules and channels.
    const metrics = await (await fetch(`${health}/metrics`)).text()
    expect(metrics).toContain(
      'seam_alerts_deliveries_total{rule="denied-burst",channel="email",outcome="sent"} 1',
    )
    expect(metrics).toMatch(/seam_alerts_events_evaluated_total [1-9]/)

    daemon.kill('SIGTERM')
    expect((await daemon.exited).code).toBe(0)
    const saved = JSON.parse(await readFile(dirs.state, 'utf8')) as {
      outbox: unknown[]
      source: { cursor: string }
    }
    expect(saved.outbox).toEqual([])
    expect(Date.parse(saved.source.cursor)).toBeGreaterThan(Date.parse(tampered.created_at))
    // The secret token never reaches the logs or the state file.
    expect(daemon.stderr()).not.toContain(ENV.TEST_SLACK_TOKEN)
    expect(await readFile(dirs.state, 'utf8')).not.toContain(ENV.TEST_SLACK_TOKEN)
  }, 120_000)

  it('loses nothing when SIGTERM arrives while alerts are being sent: the outbox goes out after a restart', async () => {
    await setup({ delivery: { slackPace: '1s', backoff: '100ms' } })
    slack.delayMs = 700
    // Before the start, so the first fetch queues all four at once.
    const events = fake.deviceIds
      .slice(0, 4)
      .map((device) => fake.addEvent({ event_type: 'device.tampered', device_id: device }))
    const first = start()
    await first.waitFor(() => posts().length >= 1, 20_000, 'the first post')
    first.kill('SIGTERM')
    expect((await first.exited).code).toBe(0)
    const saved = JSON.parse(await readFile(dirs.state, 'utf8')) as { outbox: unknown[]; sent: unknown[] }
    expect(saved.outbox.length).toBeGreaterThan(0)
    const sentBefore = posts().length

    const second = start()
    await second.waitFor(
      () => events.every((e) => posts().some((p) => slackTrace(p.text)?.eventId === e.event_id)),
      20_000,
      'every alert after the restart',
    )

    // Hot reload: a rule added while running applies without a restart.
    await writeFile(
      path.join(dirs.rules, 'unlocked.json'),
      JSON.stringify({
        id: 'unlocked',
        eventTypes: ['lock.unlocked'],
        actions: [{ type: 'slack', channel: '#doors' }],
      }),
    )
    await second.waitFor(
      () => second.logs().some((l) => l.msg === 'rules reloaded: 4 rules'),
      20_000,
      'the reload',
    )
    const unlocked = fake.addEvent({ event_type: 'lock.unlocked', device_id: fake.deviceIds[0] })
    await second.waitFor(() => posts().some((p) => p.channel === '#doors'), 20_000, 'the new rule to alert')
    expect(slackTrace(posts().find((p) => p.channel === '#doors')?.text ?? '')).toEqual({
      rule: 'unlocked',
      eventId: unlocked.event_id,
    })
    second.kill('SIGTERM')
    expect((await second.exited).code).toBe(0)
    const ids = posts()
      .filter((p) => p.channel === '#security')
      .map((p) => slackTrace(p.text)?.eventId)
    expect(new Set(ids)).toEqual(new Set(events.map((e) => e.event_id)))
    // The only duplicate allowed is a send in flight at the signal (here it finished and was recorded first).
    expect(ids.length).toBe(events.length)
    expect(sentBefore).toBeLessThan(events.length)
  }, 90_000)

  it('--once runs one cycle, delivers, and exits 0', async () => {
    await setup()
    const lock = fake.deviceIds[2]
    const denied = [1, 2, 3].map(() => fake.addEvent({ event_type: 'lock.access_denied', device_id: lock }))
    const daemon = start('--once')
    expect((await daemon.exited).code).toBe(0)
    expect(slackTraces()).toEqual([
      { channel: '#security', rule: 'denied-burst', eventId: denied[2]!.event_id },
    ])
    expect(mailTraces()).toEqual([
      { to: 'ops@example.com', rule: 'denied-burst', eventId: denied[2]!.event_id },
    ])
    const saved = JSON.parse(await readFile(dirs.state, 'utf8')) as {
      outbox: unknown[]
      source: { cursor: string }
    }
    expect(saved.outbox).toEqual([])
    expect(saved.source.cursor).not.toBeNull()

    // A second --once sees nothing new: no duplicate alerts.
    const again = start('--once')
    expect((await again.exited).code).toBe(0)
    expect(posts()).toHaveLength(1)
  }, 90_000)

  it('exits non-zero with a clear message when Seam rejects the API key', async () => {
    await setup({
      seam: { endpoint: fake.url, apiKey: 'seam_wrong_key', pollInterval: '500ms', requestTimeout: '5s' },
    })
    const daemon = start()
    const { code } = await daemon.exited
    expect(code).toBe(78)
    expect(daemon.stderr()).toContain('Seam rejected the API key')
  }, 60_000)
})
