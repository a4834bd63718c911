/**
 * Issue 13 end to end, the connection and crash side: the real daemon's Socket Mode link survives Slack's
 * `disconnect` messages, dropped sockets and a Socket Mode outage without ever stopping polling or delivery, and a
 * click is never acked without its effect being on disk (the daemon writes the effect, THEN acks: see
 * src/daemon/slack-actions/slack-actions.ts).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type FakeSeam, startFakeSeam } from '../helpers/fake-seam.js'
import type { DaemonProcess } from './helpers/daemon-process.js'
import { slackTrace } from './helpers/setup.js'
import { ACK, allText, daemonGet, type SlackRig, slackRig } from './helpers/slack-rig.js'

let fake: FakeSeam
let rig: SlackRig

beforeAll(async () => {
  fake = await startFakeSeam()
})
afterAll(async () => {
  await fake.close()
})
afterEach(async () => {
  await rig.close()
})

const posted = () => rig.web.posted().map((c) => slackTrace(String(c.body.text ?? ''))?.eventId)
const updatesOf = (ts: string) => rig.web.updates().filter((c) => c.body.ts === ts)
const health = async (daemon: DaemonProcess) => {
  const res = await daemonGet(daemon, '/healthz')
  return { status: res.status, body: JSON.parse(res.text) as Record<string, unknown> }
}
const socketState = async (daemon: DaemonProcess) =>
  ((await health(daemon)).body.slackSocket as { state?: string } | undefined)?.state

async function started() {
  const daemon = rig.start()
  await daemon.healthUrl()
  await rig.sm.waitForConnection(1)
  return daemon
}

async function alert(daemon: DaemonProcess, device: string) {
  const event = fake.addEvent({ event_type: 'device.tampered', device_id: device })
  return daemon.waitFor(() => rig.alertFor(event.event_id), 20_000, `the alert for ${device}`)
}

/** Wait (polling, like DaemonProcess.waitFor) for an async condition. */
async function until(daemon: DaemonProcess, check: () => Promise<boolean>, what: string): Promise<void> {
  let ok = false
  const probe = () => {
    void check().then((v) => {
      ok = v
    })
    return ok
  }
  await daemon.waitFor(probe, 20_000, what)
}

describe('the Socket Mode link of the running daemon', () => {
  it('a dropped socket mid-session: it reconnects, clicks work again, health and metrics tell', async () => {
    rig = await slackRig(fake)
    const [lock, sensor] = fake.deviceIds as [string, string]
    const daemon = await started()
    await until(daemon, async () => (await socketState(daemon)) === 'connected', 'slackSocket connected')
    const first = await alert(daemon, lock)

    rig.sm.dropSockets()
    await rig.sm.waitForConnection(2)
    const ack = await rig.sm.click({ message: first, actionId: ACK, user: 'U0ALICE01' })
    expect(ack.connection).toBe(2)
    await daemon.waitFor(() => updatesOf(first.ts).length === 1, 20_000, 'the acknowledge edit')

    // Slack recycling the link: a disconnect message, a new connection, and clicks go there.
    rig.sm.disconnect('refresh_requested')
    await rig.sm.waitForConnection(3)
    const second = await alert(daemon, sensor)
    expect((await rig.sm.click({ message: second, actionId: ACK, user: 'U0ALICE01' })).connection).toBe(3)
    await daemon.waitFor(() => updatesOf(second.ts).length === 1, 20_000, 'the second acknowledge edit')

    await until(daemon, async () => (await socketState(daemon)) === 'connected', 'slackSocket connected')
    const metrics = (await daemonGet(daemon, '/metrics')).text
    expect(metrics).toMatch(/^seam_alerts_slack_socket_connected 1$/m)
    expect(metrics).toMatch(/^seam_alerts_slack_socket_connects_total 3$/m)
    expect(metrics).toMatch(
      /^seam_alerts_slack_actions_total\{action="acknowledge",outcome="acknowledged"\} 2$/m,
    )
    expect(rig.sm.refusedUpgrades).toEqual([])

    // SIGTERM closes the link cleanly: exit 0, no connection left open at "Slack".
    daemon.kill('SIGTERM')
    expect((await daemon.exited).code).toBe(0)
    await expect.poll(() => rig.sm.connections).toBe(0)
  }, 120_000)

  it('while Socket Mode is unreachable, polling and delivery go on and /healthz stays ok; then it reconnects', async () => {
    rig = await slackRig(fake)
    const [lock, sensor] = fake.deviceIds as [string, string]
    const daemon = await started()
    rig.socketModeDown = true
    rig.sm.dropSockets()
    await until(daemon, async () => (await socketState(daemon)) !== 'connected', 'slackSocket not connected')

    const during = await alert(daemon, lock)
    expect(during.blocks?.some((b) => (b as { type?: string }).type === 'actions')).toBe(true)
    const healthz = await health(daemon)
    expect(healthz.status).toBe(200)
    expect(healthz.body.status).toBe('ok')
    expect(JSON.stringify(healthz.body.slackSocket)).not.toContain('xapp-')
    expect(rig.sm.opened).toBe(1)

    rig.socketModeDown = false
    await rig.sm.waitForConnection(2, 60_000)
    await rig.sm.click({ message: during, actionId: ACK, user: 'U0ALICE01' })
    await daemon.waitFor(() => updatesOf(during.ts).length === 1, 20_000, 'the acknowledge edit')
    const after = await alert(daemon, sensor)
    expect(after.ts).not.toBe(during.ts)
    expect(daemon.stderr()).not.toContain('xapp-')
  }, 120_000)
})

describe('a SIGKILL around a click', () => {
  it('killed the moment it acks: the effect is on disk, and after the restart the message is edited', async () => {
    rig = await slackRig(fake)
    const [lock] = fake.deviceIds as [string]
    const daemon = await started()
    const message = await alert(daemon, lock)
    rig.sm.onAck = () => daemon.kill('SIGKILL')
    const ack = await rig.sm.click({ message, actionId: ACK, user: 'U0ALICE01' })
    rig.sm.onAck = undefined
    await daemon.exited

    // On disk before any restart: the acknowledgement, its history entry and the queued edit.
    const record = Object.values(rig.saved().slackMessages ?? {})[0]
    expect(record?.status.acknowledged?.by).toBe('U0ALICE01')
    expect(record?.envelopes).toContain(ack.envelope_id)
    expect(rig.saved().history.filter((h) => h.outcome === 'acknowledged')).toHaveLength(1)

    const again = rig.start()
    await again.healthUrl()
    await again.waitFor(() => updatesOf(message.ts).length >= 1, 20_000, 'the edit after the restart')
    expect(allText(rig.web.message(message.channel, message.ts)!.versions.at(-1)!)).toContain(
      'Acknowledged by <@U0ALICE01>',
    )
    expect(rig.saved().history.filter((h) => h.outcome === 'acknowledged')).toHaveLength(1)
  }, 120_000)

  it('killed before it could write the click: nothing is on disk and nothing acked; redelivered, it applies once', async () => {
    // Slack does not redeliver interactive envelopes (the user sees an error on the button and clicks again);
    // this stand-in does, to show the daemon applies a redelivered click exactly once either way.
    rig = await slackRig(fake, { redeliverUnacked: true })
    const [lock] = fake.deviceIds as [string]
    const daemon = await started()
    const message = await alert(daemon, lock)
    rig.sm.onSent = () => daemon.kill('SIGKILL')
    const click = rig.sm.click({ message, actionId: ACK, user: 'U0ALICE01', timeoutMs: 60_000 })
    await daemon.exited
    rig.sm.onSent = undefined

    expect(rig.sm.acks).toEqual([])
    expect(Object.values(rig.saved().slackMessages ?? {})[0]?.status.acknowledged).toBeUndefined()
    expect(rig.saved().history.filter((h) => h.outcome === 'acknowledged')).toHaveLength(0)

    const again = rig.start()
    await again.healthUrl()
    const ack = await click // the stand-in redelivered it on the restarted daemon's connection
    expect(ack.connection).toBe(2)
    expect(rig.sm.sent.at(-1)?.envelope).toMatchObject({ retry_attempt: 1, retry_reason: 'timeout' })
    await again.waitFor(() => updatesOf(message.ts).length === 1, 20_000, 'the acknowledge edit')

    // The user clicks again too (as they would at Slack): that changes nothing more.
    await rig.sm.click({ message, actionId: ACK, user: 'U0ALICE01', version: 0 })
    await again.waitFor(() => rig.web.ephemerals().length === 1, 20_000, 'the "already acknowledged" reply')
    expect(updatesOf(message.ts)).toHaveLength(1)
    expect(rig.saved().history.filter((h) => h.outcome === 'acknowledged')).toHaveLength(1)
    expect(posted()).toHaveLength(1)
  }, 120_000)
})
