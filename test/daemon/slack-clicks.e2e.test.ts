/**
 * Issue 13 end to end: the real daemon (child process) posts alerts with buttons to the Slack Web API stand-in,
 * holds a Socket Mode connection to the Socket Mode stand-in, and acts on clicks built from the buttons it posted.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { SilenceView } from '../../src/noise/silence-ops.js'
import { blockActionsPayload } from '../helpers/block-actions.js'
import { type FakeSeam, startFakeSeam } from '../helpers/fake-seam.js'
import { spawnCli } from './helpers/daemon-process.js'
import { slackTrace } from './helpers/setup.js'
import { ACK, allText, buttonIds, ENV, SILENCE_1H, type SlackRig, slackRig } from './helpers/slack-rig.js'

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

/** Start the daemon, wait for its Socket Mode connection, and have it post one alert for `device`. */
async function alertPosted(device: string) {
  const daemon = rig.start()
  await daemon.healthUrl()
  await rig.sm.waitForConnection(1)
  const event = fake.addEvent({ event_type: 'device.tampered', device_id: device })
  const message = await daemon.waitFor(() => rig.alertFor(event.event_id), 20_000, 'the alert')
  return { daemon, event, message }
}

const posted = () => rig.web.posted().map((c) => slackTrace(String(c.body.text ?? ''))?.eventId)
const updatesOf = (ts: string) => rig.web.updates().filter((c) => c.body.ts === ts)

describe('Slack actions in the running daemon (Socket Mode stand-in, real @slack/socket-mode client)', () => {
  it('Acknowledge edits the message once, stops throttled repeats, and the resolve edits it again', async () => {
    rig = await slackRig(fake)
    const [lock] = fake.deviceIds as [string]
    const { daemon, message } = await alertPosted(lock)
    expect(buttonIds(message.blocks)).toEqual([ACK, SILENCE_1H, 'seam_alerts.silence.1d'])

    const ack = await rig.sm.click({ message, actionId: ACK, user: { id: 'U0ALICE01', username: 'alice' } })
    expect(ack.connection).toBe(1)
    await daemon.waitFor(() => updatesOf(message.ts).length === 1, 20_000, 'the acknowledge edit')
    const acked = rig.web.message(message.channel, message.ts)!.versions[1]!
    expect(allText(acked)).toContain('Acknowledged by <@U0ALICE01>')
    expect(buttonIds(acked.blocks)).toEqual([SILENCE_1H, 'seam_alerts.silence.1d'])
    expect(updatesOf(message.ts)[0]?.body.channel).toBe('C_security')
    const history = await daemon.waitFor(
      () => rig.saved().history.find((h) => h.outcome === 'acknowledged'),
      20_000,
      'the acknowledgement in the history',
    )
    expect(history).toMatchObject({ rule: 'door-tamper', by: 'U0ALICE01' })

    // A repeat after the throttle is held back (acknowledged); another device still alerts, after it.
    await new Promise((resolve) => setTimeout(resolve, 1100))
    const repeat = fake.addEvent({ event_type: 'device.tampered', device_id: lock })
    const other = fake.addEvent({ event_type: 'device.tampered', device_id: fake.deviceIds[1] })
    await daemon.waitFor(() => posted().includes(other.event_id), 20_000, 'the other device alert')
    expect(posted()).not.toContain(repeat.event_id)
    const heldRepeat = await daemon.waitFor(
      () => rig.saved().history.find((h) => h.event_id === repeat.event_id),
      20_000,
      'the held repeat in the history',
    )
    expect(heldRepeat).toMatchObject({ outcome: 'acknowledged', by: 'U0ALICE01', target: 'slack:#security' })

    // The resolve: a thread reply, and the second (and last) edit of the original message.
    const resolve = fake.addEvent({ event_type: 'device.connected', device_id: lock })
    await daemon.waitFor(() => posted().includes(resolve.event_id), 20_000, 'the resolve')
    const reply = rig.web.posted().find((c) => slackTrace(String(c.body.text))?.eventId === resolve.event_id)!
    expect(reply.body.thread_ts).toBe(message.ts)
    await daemon.waitFor(() => updatesOf(message.ts).length === 2, 20_000, 'the resolve edit')
    const resolved = rig.web.message(message.channel, message.ts)!.versions[2]!
    expect(allText(resolved)).toMatch(/Resolved at .* acknowledged by <@U0ALICE01>/)
    expect(buttonIds(resolved.blocks)).toEqual([])
  }, 120_000)

  it('Silence 1h holds back this group, not another; the silence is in `silence list`', async () => {
    rig = await slackRig(fake)
    const [lock, sensor] = fake.deviceIds as [string, string]
    const { daemon, message } = await alertPosted(lock)

    await rig.sm.click({ message, actionId: SILENCE_1H, user: { id: 'U0BOB0002', username: 'bob' } })
    await daemon.waitFor(() => updatesOf(message.ts).length === 1, 20_000, 'the silence edit')
    const edited = rig.web.message(message.channel, message.ts)!.versions[1]!
    expect(allText(edited)).toContain('Silenced by <@U0BOB0002>')

    const list = spawnCli(['silence', 'list', '--json', '--config', rig.dirs.config], ENV)
    expect((await list.exited).code, list.stderr()).toBe(0)
    const silences = JSON.parse(list.stdout()) as SilenceView[]
    expect(silences).toHaveLength(1)
    expect(silences[0]).toMatchObject({
      createdBy: 'bob (slack:U0BOB0002)',
      comment: 'from Slack',
      status: 'active',
    })
    expect(silences[0]!.matchers.join(' ')).toContain('rule=door-tamper')
    expect(silences[0]!.matchers.join(' ')).toContain(lock)
    expect(silences[0]!.matchers).toHaveLength(2)
    const hour = Date.parse(silences[0]!.endsAt) - Date.parse(silences[0]!.startsAt)
    expect(hour).toBe(3_600_000)

    await new Promise((resolve) => setTimeout(resolve, 1100))
    const held = fake.addEvent({ event_type: 'device.tampered', device_id: lock })
    const sent = fake.addEvent({ event_type: 'device.tampered', device_id: sensor })
    await daemon.waitFor(() => posted().includes(sent.event_id), 20_000, 'the other group alert')
    await daemon.waitFor(
      () => rig.saved().history.find((h) => h.event_id === held.event_id && h.outcome === 'silenced'),
      20_000,
      'the held alert in the history',
    )
    expect(posted()).not.toContain(held.event_id)
  }, 120_000)

  it('a redelivered envelope and a second Acknowledge change nothing', async () => {
    rig = await slackRig(fake)
    const [lock] = fake.deviceIds as [string]
    const { daemon, message } = await alertPosted(lock)
    const first = await rig.sm.click({ message, actionId: ACK, user: 'U0ALICE01' })
    await daemon.waitFor(() => updatesOf(message.ts).length === 1, 20_000, 'the acknowledge edit')
    const status = () => Object.values(rig.saved().slackMessages ?? {})[0]?.status
    await daemon.waitFor(() => status()?.acknowledged, 20_000, 'the acknowledgement in the state')
    const before = status()

    // The same envelope again (a Slack retry), and another user on a stale view of the message (version 0).
    rig.sm.sendEnvelope(first.envelope)
    await rig.sm.waitForAck(first.envelope_id)
    await daemon.waitFor(
      () => rig.sm.acks.filter((a) => a.envelope_id === first.envelope_id).length === 2,
      20_000,
      'the second ack of the redelivered envelope',
    )
    await rig.sm.click({ message, actionId: ACK, user: 'U0CAROL03', version: 0 })
    const told = await daemon.waitFor(
      () => rig.web.ephemerals().find((c) => c.body.user === 'U0CAROL03'),
      20_000,
      'the reply to the second Acknowledge',
    )
    expect(String(told.body.text)).toContain('Already acknowledged by <@U0ALICE01>')
    // Then something that does change the message, so the edits before it are all in.
    await rig.sm.click({ message, actionId: SILENCE_1H, user: 'U0BOB0002' })
    await daemon.waitFor(() => updatesOf(message.ts).length >= 2, 20_000, 'the silence edit')
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(updatesOf(message.ts)).toHaveLength(2)
    const latest = rig.web.message(message.channel, message.ts)!.versions.at(-1)!
    expect(allText(latest)).toContain('Acknowledged by <@U0ALICE01>')
    expect(allText(latest)).not.toContain('U0CAROL03')
    expect(status()?.acknowledged).toEqual(before?.acknowledged)
    expect(rig.web.ephemerals().filter((c) => c.body.user !== 'U0CAROL03')).toHaveLength(0)
    expect(rig.saved().history.filter((h) => h.outcome === 'acknowledged')).toHaveLength(1)
  }, 120_000)

  it('an envelope for a message the daemon never sent gets an ephemeral reply, and the daemon carries on', async () => {
    rig = await slackRig(fake)
    const [lock] = fake.deviceIds as [string]
    const { daemon, message } = await alertPosted(lock)
    const foreign = {
      ...message,
      ts: '1772366400.999999',
      versions: message.versions,
    }
    const payload = blockActionsPayload({
      message: foreign,
      actionId: ACK,
      user: 'U0MALLORY',
      appId: rig.sm.appId,
      teamId: rig.sm.teamId,
      n: 99,
      responseUrlBase: rig.web.url,
    })
    const envelope = {
      envelope_id: 'env-unknown-1',
      type: 'interactive',
      accepts_response_payload: false,
      payload,
    }
    rig.sm.sendEnvelope(envelope)
    await rig.sm.waitForAck('env-unknown-1')
    const reply = await daemon.waitFor(() => rig.web.ephemerals()[0], 20_000, 'the ephemeral reply')
    expect(reply.body).toMatchObject({ channel: 'C_security', user: 'U0MALLORY' })
    expect(String(reply.body.text)).toMatch(/no longer tracked/)
    expect(rig.web.updates()).toHaveLength(0)

    // A payload that is not JSON-shaped like block_actions at all is acked and ignored too.
    rig.sm.sendEnvelope({
      envelope_id: 'env-garbage',
      type: 'interactive',
      payload: { type: 'block_actions' },
    })
    await rig.sm.waitForAck('env-garbage')

    // The daemon is fine: its own message still takes clicks.
    await rig.sm.click({ message, actionId: ACK, user: 'U0ALICE01' })
    await daemon.waitFor(() => updatesOf(message.ts).length === 1, 20_000, 'the acknowledge edit')
    expect(daemon.child.exitCode).toBeNull()
  }, 120_000)

  // Slack shows a message before the poster gets the answer; a slow answer or a slow state write widens the window
  // in which a click names a message the daemon has not recorded yet. The daemon waits (up to 5 s) for its Slack
  // sends in flight to be recorded before it calls a message unknown (fixed on wt-slack-core; was it.fails).
  it('a click that arrives before the daemon has recorded its send still takes effect', async () => {
    rig = await slackRig(fake)
    const [lock] = fake.deviceIds as [string]
    const daemon = rig.start()
    await daemon.healthUrl()
    await rig.sm.waitForConnection(1)
    // Slack shows the message as soon as it takes the call; its answer to the daemon is slow (1.5 s).
    rig.web.delayMs = 1500
    const event = fake.addEvent({ event_type: 'device.tampered', device_id: lock })
    const message = await daemon.waitFor(
      () => rig.web.messages().find((m) => slackTrace(m.text)?.eventId === event.event_id),
      20_000,
      'the message in Slack',
    )
    await rig.sm.click({ message, actionId: ACK, user: 'U0ALICE01' })
    rig.web.delayMs = 0
    await daemon.waitFor(
      () => updatesOf(message.ts).length > 0 || rig.web.ephemerals().length > 0,
      20_000,
      'an edit or a reply',
    )
    expect(rig.web.ephemerals().map((c) => c.body.text)).toEqual([])
    await daemon.waitFor(() => updatesOf(message.ts).length === 1, 20_000, 'the acknowledge edit')
  }, 120_000)
})
