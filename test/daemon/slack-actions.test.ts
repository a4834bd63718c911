/**
 * Slack buttons over Socket Mode with the real daemon in this process (startDaemon) against the Web API and Socket
 * Mode stand-ins: buttons on alerts, Acknowledge (state, history, chat.update, held repeats), Silence (a silence
 * from Slack), an unknown message, a duplicate envelope, reconnects after a drop and after Slack's `disconnect`.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/config.js'
import { type DaemonHandle, startDaemon } from '../../src/daemon/daemon.js'
import type { State } from '../../src/state/state-schema.js'
import { buttonsOf } from '../helpers/block-actions.js'
import { captureLogger } from '../helpers/fixtures.js'
import { type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js'
import { type SocketModeStandIn, startSocketModeStandIn } from '../helpers/socket-mode-stand-in.js'
import { eventually } from '../helpers/stalled-server.js'
import { type StrictEmulator, startStrictEmulator } from '../helpers/strict-emulator.js'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const RULE = {
  id: 'offline',
  description: 'Lock offline',
  eventTypes: ['device.disconnected'],
  groupBy: ['device_id'],
  throttle: '1ms',
  resolve: { eventTypes: ['device.connected'] },
  actions: [{ type: 'slack', channel: '#doors' }],
}

interface Rig {
  emulator: StrictEmulator
  slack: SlackStandIn
  socket: SocketModeStandIn
  daemon: DaemonHandle
  dir: string
  log: ReturnType<typeof captureLogger>
  state(): Promise<State>
}

async function rig(): Promise<Rig> {
  const emulator = await startStrictEmulator()
  cleanups.push(emulator.close)
  const slack = await startSlackStandIn()
  cleanups.push(slack.close)
  const socket = await startSocketModeStandIn({ web: slack })
  cleanups.push(socket.close)
  const dir = await mkdtemp(path.join(tmpdir(), 'seam-alerts-slack-actions-'))
  cleanups.push(() => rm(dir, { recursive: true, force: true }))
  await mkdir(path.join(dir, 'rules'))
  await writeFile(path.join(dir, 'rules', 'offline.json'), JSON.stringify(RULE))
  const raw = {
    seam: {
      endpoint: emulator.url,
      apiKey: emulator.apiKey,
      pollInterval: '100ms',
      lookback: '1s',
      startFrom: new Date(Date.now() - 60_000).toISOString(),
    },
    slack: { token: 'xoxb-test', appToken: 'xapp-1-test', apiUrl: slack.apiUrl },
    rules: './rules',
    state: './state.json',
    server: { host: '127.0.0.1', port: 0 },
  }
  const config = parseConfig(raw, path.join(dir, 'config.json'), {})
  const log = captureLogger()
  const daemon = await startDaemon({ config, logger: log.logger, stopTimeoutMs: 2000 })
  cleanups.push(() => daemon.stop())
  const state = async () => JSON.parse(await readFile(path.join(dir, 'state.json'), 'utf8')) as State
  return { emulator, slack, socket, daemon, dir, log, state }
}

let seq = 0
function emit(r: Rig, type: string, device: string) {
  seq += 1
  return r.emulator.addEvent({
    event_type: type,
    device_id: device,
    created_at: new Date(Date.now() - 500 + seq).toISOString(),
  })
}

const alertsTo = (r: Rig) => r.slack.messages().filter((m) => m.thread_ts === undefined)

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Poll an async check until it holds (or `ms` passes). */
async function until(check: () => Promise<boolean>, ms = 10_000): Promise<boolean> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (await check().catch(() => false)) return true
    await sleep(50)
  }
  return false
}

/** The nth alert (not a thread reply), once the daemon has recorded it (the index is written with the outcome). */
async function alertNo(r: Rig, n: number) {
  expect(await eventually(() => alertsTo(r).length >= n, 10_000)).toBe(true)
  const alert = alertsTo(r)[n - 1]!
  const key = `${alert.channel}|${alert.ts}`
  expect(await until(async () => (await r.state()).slackMessages?.[key] !== undefined)).toBe(true)
  return alert
}

async function healthOf(r: Rig) {
  const res = await fetch(`${r.daemon.healthUrl}/healthz`)
  return (await res.json()) as { slackSocket?: { state: string; since: string; reason?: string } }
}

describe('Slack actions with the real daemon', () => {
  it('posts buttons, acknowledges a click (state, history, edit), holds repeats, then edits on resolve', async () => {
    const r = await rig()
    await r.socket.waitForConnection(1)
    emit(r, 'device.disconnected', 'dev_1')
    const alert = await alertNo(r, 1)
    const buttons = buttonsOf(alert.blocks).map((b) => [b.element.action_id, b.element.value])
    expect(buttons).toEqual([
      ['seam_alerts.ack', 'ack'],
      ['seam_alerts.silence.1h', '1h'],
      ['seam_alerts.silence.1d', '1d'],
    ])
    const ack = await r.socket.click({
      message: alert,
      actionId: 'seam_alerts.ack',
      user: { id: 'U123', username: 'ana' },
    })
    expect(ack.late).toBe(false)
    expect(await eventually(() => r.slack.updates().length === 1, 10_000)).toBe(true)
    const edited = r.slack.message(alert.channel, alert.ts)!
    expect(JSON.stringify(edited.blocks)).toContain('Acknowledged by <@U123>')
    expect(buttonsOf(edited.blocks).map((b) => b.element.action_id)).toEqual([
      'seam_alerts.silence.1h',
      'seam_alerts.silence.1d',
    ])
    const saved = await r.state()
    const acks = Object.values(saved.noise.acks ?? {})
    expect(acks).toMatchObject([{ rule: 'offline', by: 'U123' }])
    expect(saved.history.filter((e) => e.outcome === 'acknowledged')).toMatchObject([{ by: 'U123' }])

    // A second click on the same (stale) button changes nothing.
    const again = await r.socket.click({
      message: alert,
      actionId: 'seam_alerts.ack',
      version: 0,
      user: 'U999',
    })
    expect(again.late).toBe(false)
    expect(await eventually(() => r.slack.ephemerals().length === 1, 5000)).toBe(true)
    expect(Object.values((await r.state()).noise.acks ?? {})).toMatchObject([{ by: 'U123' }])

    // A throttled repeat of the acknowledged incident is held back; another group still alerts.
    emit(r, 'device.disconnected', 'dev_1')
    emit(r, 'device.disconnected', 'dev_2')
    expect(await eventually(() => alertsTo(r).length === 2, 10_000)).toBe(true)
    expect(JSON.stringify(alertsTo(r)[1]!.blocks)).toContain('dev_2')
    await alertNo(r, 2)
    await sleep(500)
    expect(alertsTo(r)).toHaveLength(2)
    expect((await r.state()).history.filter((e) => e.outcome === 'acknowledged')).toHaveLength(2)

    // Resolve: the thread reply as today, and the original message edited once more.
    emit(r, 'device.connected', 'dev_1')
    expect(await eventually(() => r.slack.updates().length === 2, 10_000)).toBe(true)
    const resolved = r.slack.message(alert.channel, alert.ts)!
    expect(JSON.stringify(resolved.blocks)).toMatch(/Resolved at .* acknowledged by <@U123>/)
    expect(buttonsOf(resolved.blocks)).toEqual([])
    expect(await eventually(() => r.slack.messages().some((m) => m.thread_ts === alert.ts), 10_000)).toBe(
      true,
    )
    expect((await r.state()).noise.acks ?? {}).toEqual({})
  })

  it('Silence 1h makes a silence from Slack for the rule and group: matching alerts are held, others still alert', async () => {
    const r = await rig()
    await r.socket.waitForConnection(1)
    emit(r, 'device.disconnected', 'dev_1')
    const alert = await alertNo(r, 1)
    const before = Date.now()
    const ack = await r.socket.click({
      message: alert,
      actionId: 'seam_alerts.silence.1h',
      user: { id: 'U7', username: 'bo' },
    })
    expect(ack.late).toBe(false)
    const silences = (await r.state()).silences
    expect(silences).toHaveLength(1)
    expect(silences[0]).toMatchObject({
      matchers: ['rule="offline"', 'device_id="dev_1"'].map((m) => m.replace(/"/g, '')),
      createdBy: 'bo (slack:U7)',
      comment: 'from Slack',
    })
    const ends = Date.parse(silences[0]!.endsAt)
    expect(ends - before).toBeGreaterThanOrEqual(3_600_000 - 5_000)
    expect(ends - before).toBeLessThanOrEqual(3_600_000 + 5_000)
    expect(await eventually(() => r.slack.updates().length === 1, 10_000)).toBe(true)
    const edited = r.slack.message(alert.channel, alert.ts)!
    expect(JSON.stringify(edited.blocks)).toContain('Silenced by <@U7> until')
    expect(buttonsOf(edited.blocks).map((b) => b.element.action_id)).toEqual(['seam_alerts.ack'])

    // The same envelope delivered again changes nothing (no second silence, no second edit).
    r.socket.sendEnvelope(ack.envelope)
    await r.socket.waitForAck(ack.envelope.envelope_id)
    await sleep(300)
    expect((await r.state()).silences).toHaveLength(1)

    emit(r, 'device.connected', 'dev_1')
    emit(r, 'device.disconnected', 'dev_1')
    emit(r, 'device.disconnected', 'dev_2')
    await alertNo(r, 2)
    await sleep(500)
    expect(alertsTo(r)).toHaveLength(2)
    expect(JSON.stringify(alertsTo(r)[1]!.blocks)).toContain('dev_2')
    expect((await r.state()).history.some((e) => e.outcome === 'silenced')).toBe(true)
    expect(r.slack.updates()).toHaveLength(2) // the resolve of dev_1's first incident edited its message too
  })

  it('an envelope for an unknown message gets the ephemeral "no longer tracked" reply and an ack, nothing else', async () => {
    const r = await rig()
    await r.socket.waitForConnection(1)
    emit(r, 'device.disconnected', 'dev_1')
    const alert = await alertNo(r, 1)
    const ack = await r.socket.click({
      message: alert,
      actionId: 'seam_alerts.ack',
      channel: { id: 'C_other' },
      user: 'U5',
    })
    expect(ack.late).toBe(false)
    expect(await eventually(() => r.slack.ephemerals().length === 1, 5000)).toBe(true)
    expect(r.slack.ephemerals()[0]!.body).toMatchObject({ channel: 'C_other', user: 'U5' })
    expect(String(r.slack.ephemerals()[0]!.body.text)).toContain('no longer tracked')
    // Nothing acknowledged, silenced, queued or recorded for it. (Not a byte comparison of the file: the daemon
    // keeps writing its own bookkeeping, such as the alert's delivery outcome, around the click.)
    const after = JSON.parse(await readFile(path.join(r.dir, 'state.json'), 'utf8'))
    expect(after.noise.acks ?? {}).toEqual({})
    expect(after.silences).toEqual([])
    expect(after.outbox.filter((item: { followUp?: unknown }) => item.followUp)).toEqual([])
    expect(after.history.filter((h: { outcome: string }) => h.outcome !== 'sent')).toEqual([])
    const handled = (await r.daemon.metrics.slackActions.get()).values
    expect(handled).toMatchObject([{ labels: { action: 'acknowledge', outcome: 'unknown' }, value: 1 }])
  })

  it('reconnects after a dropped socket and after Slack asks to, and clicks still work; /healthz shows the link', async () => {
    const r = await rig()
    await r.socket.waitForConnection(1)
    expect(await until(async () => (await healthOf(r)).slackSocket?.state === 'connected')).toBe(true)
    r.socket.dropSockets()
    await r.socket.waitForConnection(2)
    r.socket.disconnect('refresh_requested')
    await r.socket.waitForConnection(3)
    expect(await until(async () => (await healthOf(r)).slackSocket?.state === 'connected')).toBe(true)
    emit(r, 'device.disconnected', 'dev_1')
    const alert = await alertNo(r, 1)
    const ack = await r.socket.click({ message: alert, actionId: 'seam_alerts.ack', user: 'U1' })
    expect(ack.connection).toBe(3)
    expect(await eventually(() => r.slack.updates().length === 1, 10_000)).toBe(true)
    const metrics = await (await fetch(`${r.daemon.healthUrl}/metrics`)).text()
    expect(metrics).toMatch(/seam_alerts_slack_socket_connected 1/)
    expect(metrics).toMatch(/seam_alerts_slack_socket_connects_total 3/)
  })
})
