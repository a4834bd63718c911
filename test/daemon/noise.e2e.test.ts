import { readFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { State } from '../../src/state/state-schema.js'
import { type FakeSeam, startFakeSeam } from '../helpers/fake-seam.js'
import { type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js'
import { type SmtpStandIn, startSmtp } from '../helpers/smtp-server.js'
import { type DaemonProcess, spawnCli } from './helpers/daemon-process.js'
import { type E2eDirs, makeDirs, slackTrace, writeConfig } from './helpers/setup.js'

const ENV = { TEST_SLACK_TOKEN: 'xoxb-e2e-test-token', TEST_API_TOKEN: 'api-token-e2e-1' }

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

async function setup(rules: object[] = [], extra: Record<string, unknown> = {}): Promise<void> {
  slack = await startSlackStandIn({ channelIds: false })
  smtp = await startSmtp()
  dirs = await makeDirs()
  for (const rule of rules) {
    const id = (rule as { id: string }).id
    await writeFile(path.join(dirs.rules, `${id}.json`), JSON.stringify(rule))
  }
  // The fake Seam is shared by this file's tests: wait until the previous test's events are older than this
  // daemon's startFrom, so none of them is read (and alerted or held) here.
  await new Promise((resolve) => setTimeout(resolve, 1100))
  const startFrom = new Date(Date.now() - 1000).toISOString()
  await writeConfig(
    dirs,
    { seamUrl: fake.url, apiKey: fake.apiKey, slackApiUrl: slack.apiUrl, smtpPort: smtp.port, startFrom },
    extra,
  )
}

function start(): DaemonProcess {
  const daemon = spawnCli(['run', '--config', dirs.config], ENV)
  daemons.push(daemon)
  return daemon
}

const posts = () =>
  slack.posted().map((c) => ({ channel: String(c.body.channel), text: String(c.body.text ?? '') }))
/** Event ids of the alerts posted (of one rule, when given). */
const tracedIds = (rule?: string) =>
  posts().flatMap((p) => {
    const trace = slackTrace(p.text)
    return trace && (!rule || trace.rule === rule) ? [trace.eventId] : []
  })
/** The state file as last written (read synchronously, so `waitFor` can poll it). */
const saved = (): State => {
  try {
    return JSON.parse(readFileSync(dirs.state, 'utf8')) as State
  } catch {
    return { history: [], silences: [] } as unknown as State
  }
}

describe('noise control in the running daemon (child process, official fake Seam, Slack stand-in)', () => {
  it('a silence added with the CLI while the daemon runs holds back exactly the matching alerts', async () => {
    await setup([], { server: { host: '127.0.0.1', port: 0, apiToken: '${TEST_API_TOKEN}' } })
    const [lock, sensor] = fake.deviceIds
    const daemon = start()
    await daemon.healthUrl()
    const add = spawnCli(
      [
        'silence',
        'add',
        '--config',
        dirs.config,
        '--matcher',
        'rule=tampered',
        '--matcher',
        `device_id=${lock}`,
      ].concat(['--duration', '1h', '--comment', 'lock maintenance', '--author', 'bob']),
      ENV,
    )
    expect((await add.exited).code).toBe(0)
    const id = add.stdout().trim().split('\n').at(-1)!.trim().split(/\s+/).at(-1)!
    // Through the running daemon's API: saved by the daemon, applied to the next alert.
    await daemon.waitFor(() => saved().silences.find((s) => s.id === id), 20_000, 'the silence in the state')
    const held = fake.addEvent({ event_type: 'device.tampered', device_id: lock })
    const sent = fake.addEvent({ event_type: 'device.tampered', device_id: sensor })
    await daemon.waitFor(() => tracedIds().includes(sent.event_id), 20_000, 'the unsilenced alert')
    const entry = await daemon.waitFor(
      () => saved().history.find((h) => h.event_id === held.event_id && h.outcome === 'silenced'),
      20_000,
      'the silenced alert in the history',
    )
    expect(entry.silenceId).toBe(id)
    expect(tracedIds()).not.toContain(held.event_id)
    expect(saved().silences.find((s) => s.id === id)?.suppressed).toBe(1)
  }, 90_000)

  it('a silence in the state file before start holds back exactly the matching alerts, summarises them when it ends, and the history survives SIGKILL', async () => {
    await setup()
    const [lock, sensor] = fake.deviceIds
    const now = Date.now()
    const silence = {
      id: 'silence-e2e-1',
      matchers: ['rule=tampered', `device_id=${lock}`],
      startsAt: new Date(now - 60_000).toISOString(),
      endsAt: new Date(now + 30_000).toISOString(), // starting the daemon may take a while on a busy machine
      createdBy: 'alice',
      comment: 'battery swap',
      suppressed: 0,
    }
    await writeFile(dirs.state, JSON.stringify({ version: 1, silences: [silence] }))
    const daemon = start()
    await daemon.healthUrl()
    const held = fake.addEvent({ event_type: 'device.tampered', device_id: lock })
    const sent = fake.addEvent({ event_type: 'device.tampered', device_id: sensor })
    await daemon.waitFor(() => tracedIds().includes(sent.event_id), 20_000, 'the unsilenced alert')
    await daemon.waitFor(() => saved().silences[0]?.suppressed === 1, 20_000, 'the silence count')
    expect(tracedIds()).not.toContain(held.event_id)

    // The silence ends: one summary for the rule and its one target, listing the held event id.
    const summary = await daemon.waitFor(
      () => posts().find((p) => p.text.includes('while silenced (battery swap, by alice)')),
      60_000,
      'the end-of-silence summary',
    )
    expect(summary.channel).toBe('#security')
    expect(summary.text).toContain('1 alerts of rule tampered')
    const blocks = JSON.stringify(
      slack.posted().find((c) => String(c.body.text).includes('while silenced'))!.body,
    )
    expect(blocks).toContain(held.event_id)
    expect(posts().filter((p) => p.text.includes('while silenced'))).toHaveLength(1)

    // Killed without a chance to write anything more: what is on disk is the history of every outcome.
    await daemon.waitFor(
      () => saved().history.filter((h) => h.outcome === 'sent').length >= 2,
      20_000,
      'the sent outcomes on disk',
    )
    daemon.kill('SIGKILL')
    await daemon.exited
    const history = saved().history
    expect(history.find((h) => h.event_id === held.event_id)).toMatchObject({
      outcome: 'silenced',
      silenceId: 'silence-e2e-1',
      target: 'slack:#security',
      labels: { rule: 'tampered', kind: 'fire', device_id: lock, event_type: 'device.tampered' },
    })
    expect(history.find((h) => h.event_id === sent.event_id)).toMatchObject({
      outcome: 'sent',
      target: 'slack:#security',
    })
    expect(history.find((h) => h.event_id.startsWith('silence:silence-e2e-1:'))).toMatchObject({
      outcome: 'sent',
    })

    // A restart loads the state (history, silences, noise memory) and sends nothing twice.
    const before = posts().length
    const again = start()
    await again.healthUrl()
    const later = fake.addEvent({ event_type: 'device.tampered', device_id: lock })
    await again.waitFor(() => tracedIds().includes(later.event_id), 20_000, 'an alert after the silence')
    expect(posts()).toHaveLength(before + 1)
    again.kill('SIGTERM')
    await again.exited
    const after = saved().history
    expect(after.slice(0, history.length)).toEqual(history)
    expect(after.at(-1)).toMatchObject({ outcome: 'sent', event_id: later.event_id })
  }, 90_000)
})

const hhmm = (ms: number) => {
  const minutes = Math.floor(ms / 60_000) % 1440
  return minutes === 0 && ms % 86_400_000 !== 0 ? '24:00' : new Date(ms).toISOString().slice(11, 16)
}

describe('inhibition and muteTimes in the running daemon', () => {
  it('inhibition suppresses while the source incident is open, then releases when it resolves', async () => {
    await setup([
      {
        id: 'account-offline',
        eventTypes: ['connected_account.disconnected'],
        resolve: { eventTypes: ['connected_account.connected'] },
        actions: [{ type: 'slack', channel: '#ops' }],
      },
      {
        id: 'door-tamper',
        eventTypes: ['device.tampered'],
        inhibitedBy: [{ rule: 'account-offline', equal: ['workspace_id'] }],
        actions: [{ type: 'slack', channel: '#doors' }],
      },
    ])
    const [lock] = fake.deviceIds
    const daemon = start()
    await daemon.healthUrl()
    const down = fake.addEvent({
      event_type: 'connected_account.disconnected',
      device_id: undefined,
    } as never)
    await daemon.waitFor(() => tracedIds().includes(down.event_id), 20_000, 'the source alert')
    const inhibited = fake.addEvent({ event_type: 'device.tampered', device_id: lock })
    await daemon.waitFor(
      () => saved().history.find((h) => h.event_id === inhibited.event_id && h.outcome === 'inhibited'),
      20_000,
      'the inhibited alert in the history',
    )
    // By event id: the fake Seam is shared by this file's tests, so an event the previous test made just before
    // this daemon's startFrom may still be read and alerted here.
    expect(tracedIds('door-tamper')).not.toContain(inhibited.event_id)
    const up = fake.addEvent({ event_type: 'connected_account.connected', device_id: undefined } as never)
    await daemon.waitFor(() => tracedIds().includes(up.event_id), 20_000, 'the source resolve')
    const released = fake.addEvent({ event_type: 'device.tampered', device_id: lock })
    await daemon.waitFor(() => tracedIds().includes(released.event_id), 20_000, 'the alert after the release')
    expect(tracedIds('door-tamper')).not.toContain(inhibited.event_id)
    expect(saved().history.find((h) => h.event_id === inhibited.event_id)?.inhibitedBy).toMatch(
      /^account-offline\|/,
    )
  }, 60_000)

  it('muteTimes hold alerts while the wall clock is inside the interval and summarise them when it ends', async () => {
    const now = Date.now()
    // An interval from this minute to the next minute boundary at least 30 s away (at most ~90 s).
    const end = Math.ceil((now + 30_000) / 60_000) * 60_000
    const interval = { times: [{ start_time: hhmm(now), end_time: hhmm(end) }] }
    await setup(
      [
        {
          id: 'door-tamper',
          eventTypes: ['device.tampered'],
          muteTimes: ['maintenance-window'],
          actions: [{ type: 'slack', channel: '#doors' }],
        },
      ],
      { timeIntervals: { 'maintenance-window': [interval] } },
    )
    const [lock] = fake.deviceIds
    const daemon = start()
    await daemon.healthUrl()
    const muted = fake.addEvent({ event_type: 'device.tampered', device_id: lock })
    await daemon.waitFor(
      () => saved().history.find((h) => h.event_id === muted.event_id && h.outcome === 'muted'),
      20_000,
      'the muted alert in the history',
    )
    // By event id: the fake Seam is shared by this file's tests (see above).
    expect(tracedIds('door-tamper')).not.toContain(muted.event_id)
    const summary = await daemon.waitFor(
      () => posts().find((p) => p.text.includes('while muted (maintenance-window)')),
      120_000,
      'the end-of-mute summary',
    )
    expect(summary.channel).toBe('#doors')
    expect(JSON.stringify(slack.posted().at(-1)!.body)).toContain(muted.event_id)
  }, 150_000)
})
