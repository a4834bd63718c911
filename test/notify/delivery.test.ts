import { afterEach, describe, expect, it } from 'vitest'
import { silentLogger } from '../../src/log.js'
import { type AlertMessage, DeliveryError, type Notifier } from '../../src/notify/notifier.js'
import { enqueueDecisions } from '../../src/notify/outbox.js'
import { SlackNotifier } from '../../src/notify/slack.js'
import type { Action } from '../../src/rules/action-schema.js'
import { openState, T0 } from '../helpers/fixtures.js'
import { decision, makeWorker, manualClock, startSlackStandIn } from './helpers.js'

type StandIn = Awaited<ReturnType<typeof startSlackStandIn>>
let standIn: StandIn | undefined
afterEach(async () => {
  await standIn?.close()
  standIn = undefined
})

/** A channel that records what it was asked to send and when (manual clock). */
function recorder(now: () => number, fail?: (m: AlertMessage) => Error | undefined) {
  const sent: Array<{ message: AlertMessage; at: number }> = []
  const notifier: Notifier = {
    async send(message) {
      const error = fail?.(message)
      if (error) throw error
      sent.push({ message, at: now() })
      return { ref: `ref-${sent.length}` }
    },
  }
  return { sent, notifier }
}

const storm = (n: number, rule = 'battery-low') =>
  Array.from({ length: n }, (_, i) =>
    decision({ rule, event_id: `evt_${String(i).padStart(3, '0')}`, group: { device_id: `dev_${i}` } }),
  )

describe('DeliveryWorker', () => {
  it('rolls a storm up into one Slack message that lists every event_id, and records all as sent', async () => {
    standIn = await startSlackStandIn()
    const state = await openState()
    const actions: Action[] = [{ type: 'slack', channel: '#ops' }]
    const fires = storm(40)
    await state.update((d) =>
      enqueueDecisions(d, [...fires, decision({ rule: 'other' })], () => ({ actions }), 1),
    )
    const slack = new SlackNotifier({ token: 'xoxb', apiUrl: standIn.apiUrl, logger: silentLogger })
    const { worker } = makeWorker({ state, notifiers: { slack }, delivery: { rollupAbove: 10 } })
    await worker.drain(60_000)
    const posted = standIn.posted()
    expect(posted).toHaveLength(2) // the rollup + the other rule's single alert
    const rollup = JSON.stringify(posted[0]?.body.blocks)
    for (const d of fires) expect(rollup).toContain(d.event_id)
    expect(rollup).toContain('40 alerts rolled up')
    const s = state.current()
    expect(s.outbox).toHaveLength(0)
    expect(s.sent).toHaveLength(41)
    const rollupRefs = new Set(s.sent.filter((x) => x.id.startsWith('battery-low')).map((x) => x.ref))
    expect(rollupRefs.size).toBe(1)
    // A later resolve of one of those incidents threads under the rollup message.
    const resolve = decision({ kind: 'resolve', event_id: 'evt_r', group: { device_id: 'dev_3' } })
    await state.update((d) => enqueueDecisions(d, [resolve], () => ({ actions }), 2))
    await worker.drain(60_000)
    expect(standIn.posted()[2]?.body.thread_ts).toBe([...rollupRefs][0])
  })

  it('keeps a storm rolled up for rollupWindow; resolves are never mixed into fire rollups', async () => {
    const state = await openState()
    const lookup = () => ({ actions: [{ type: 'console' }] as Action[] })
    const clock = manualClock(T0)
    const rec = recorder(() => clock.now())
    const { worker } = makeWorker({
      state,
      notifiers: { console: rec.notifier },
      delivery: { rollupAbove: 3, rollupWindow: 60_000 },
      clock,
    })
    await state.update((d) => enqueueDecisions(d, storm(5), lookup, clock.now()))
    await worker.drain(1000)
    expect(rec.sent.map((s) => s.message.rollup?.length)).toEqual([5])
    // Two more fires and a resolve arrive during the storm window.
    const more = storm(7).slice(5)
    const resolve = decision({ kind: 'resolve', event_id: 'evt_r', group: { device_id: 'dev_0' } })
    await state.update((d) => enqueueDecisions(d, [...more, resolve], lookup, clock.now()))
    await worker.drain(1000)
    expect(rec.sent).toHaveLength(2) // the resolve goes alone; the fires are held for the window
    expect(rec.sent[1]?.message.decision.kind).toBe('resolve')
    expect(rec.sent[1]?.message.rollup).toBeUndefined()
    await worker.drain(120_000)
    expect(rec.sent).toHaveLength(3)
    expect(rec.sent[2]?.message.rollup?.map((d) => d.event_id)).toEqual(['evt_005', 'evt_006'])
    expect(state.current().outbox).toHaveLength(0)
    // Long after the storm, a couple of fires (not above rollupAbove) go out one by one again.
    clock.advance(10 * 60_000)
    await state.update((d) => enqueueDecisions(d, storm(9).slice(7), lookup, clock.now()))
    await worker.drain(1000)
    expect(rec.sent.slice(3).map((s) => s.message.rollup)).toEqual([undefined, undefined])
  })

  it('paces Slack targets per channel, not across channels', async () => {
    const state = await openState()
    const actions: Action[] = [
      { type: 'slack', channel: '#a' },
      { type: 'slack', channel: '#b' },
    ]
    await state.update((d) => enqueueDecisions(d, storm(3), () => ({ actions }), 1))
    const clock = manualClock(T0)
    const rec = recorder(() => clock.now())
    const { worker } = makeWorker({
      state,
      notifiers: { slack: rec.notifier },
      delivery: { slackPace: 1000 },
      clock,
    })
    await worker.drain(60_000)
    const times = (channel: string) =>
      rec.sent
        .filter((s) => s.message.action.type === 'slack' && s.message.action.channel === channel)
        .map((s) => s.at)
    for (const channel of ['#a', '#b']) {
      const t = times(channel)
      expect(t).toHaveLength(3)
      expect(t[1]! - t[0]!).toBeGreaterThanOrEqual(1000)
      expect(t[2]! - t[1]!).toBeGreaterThanOrEqual(1000)
    }
    expect(times('#b')[0]).toBe(times('#a')[0]) // #b did not wait behind #a
  })

  it('a hung target never delays another; stop() leaves its item in the outbox', async () => {
    standIn = await startSlackStandIn((call) => (call.body.channel === '#hung' ? { hang: true } : undefined))
    const state = await openState()
    const hung: Action[] = [{ type: 'slack', channel: '#hung' }]
    const live: Action[] = [{ type: 'slack', channel: '#live' }]
    await state.update((d) => enqueueDecisions(d, [decision({ rule: 'r1' })], () => ({ actions: hung }), 1))
    const slack = new SlackNotifier({ token: 'xoxb', apiUrl: standIn.apiUrl, logger: silentLogger })
    const { worker } = makeWorker({ state, notifiers: { slack }, realSleep: true })
    worker.start()
    await standIn.waitFor((c) => c.body.channel === '#hung')
    await state.update((d) => enqueueDecisions(d, [decision({ rule: 'r2' })], () => ({ actions: live }), 2))
    worker.kick()
    await standIn.waitFor((c) => c.body.channel === '#live')
    // wait until the live outcome is recorded
    for (let i = 0; i < 200 && state.current().sent.length === 0; i++)
      await new Promise((r) => setTimeout(r, 5))
    expect(state.current().sent.map((s) => s.target)).toEqual(['slack:#live'])
    await worker.stop(50)
    expect(state.current().outbox.map((i) => i.target)).toEqual(['slack:#hung'])
  })

  it('dead-letters when a channel is not configured or the action cannot be resolved', async () => {
    const state = await openState()
    const actions: Action[] = [
      { type: 'email', to: ['a@example.com'] },
      { type: 'slack', webhookUrl: 'https://hooks.example/x' },
    ]
    await state.update((d) => enqueueDecisions(d, [decision()], () => ({ actions }), 1))
    const { worker } = makeWorker({ state, notifiers: {} })
    await worker.drain(1000)
    const reasons = state.current().deadLetters.map((d) => d.reason)
    expect(reasons).toEqual(
      expect.arrayContaining([
        'no SMTP settings configured (email.smtp and email.from)',
        expect.stringContaining('can no longer be resolved'),
      ]),
    )
  })

  it('backs off exponentially and honours retryAfterMs, then dead-letters after maxAttempts', async () => {
    const state = await openState()
    await state.update((d) =>
      enqueueDecisions(d, [decision()], () => ({ actions: [{ type: 'console' }] }), 1),
    )
    const clock = manualClock(T0)
    const attempts: number[] = []
    const rec = recorder(
      () => clock.now(),
      () => {
        attempts.push(clock.now())
        return new DeliveryError('busy', {
          retryable: true,
          retryAfterMs: attempts.length === 2 ? 30_000 : undefined,
        })
      },
    )
    const { worker } = makeWorker({
      state,
      clock,
      notifiers: { console: rec.notifier },
      delivery: { maxAttempts: 4, backoff: 1000, maxBackoff: 10_000 },
    })
    await worker.drain(3_600_000)
    const gaps = attempts.slice(1).map((t, i) => t - attempts[i]!)
    // random() = 0.5 => 0.75 * base * 2^(n-1); the second failure asked for 30 s.
    expect(gaps).toEqual([750, 30_000, 3000])
    expect(state.current().deadLetters[0]).toMatchObject({
      attempts: 4,
      reason: 'busy (gave up after 4 attempts)',
    })
  })
})
