import { afterEach, describe, expect, it } from 'vitest'
import { enqueueDecisions } from '../../src/notify/outbox.js'
import { dedupKey, PagerDutyNotifier } from '../../src/notify/pagerduty.js'
import type { Action } from '../../src/rules/action-schema.js'
import { openState, T0 } from '../helpers/fixtures.js'
import { type HttpStandIn, startHttpStandIn } from '../helpers/http-stand-in.js'
import { decision, makeWorker } from './helpers.js'

const KEY = 'R0UT1NGKEY0000000000000000000000'
const action: Action = { type: 'pagerduty', routingKey: KEY }
const ACCEPTED = { status: 202, body: '{"status":"success","message":"Event processed","dedup_key":"x"}' }

let pd: HttpStandIn | undefined
afterEach(async () => {
  await pd?.close()
  pd = undefined
})

async function queued(decisions: ReturnType<typeof decision>[], actions: Action[] = [action]) {
  const state = await openState()
  await state.update((d) => enqueueDecisions(d, decisions, () => ({ actions }), T0))
  return state
}

describe('PagerDuty Events API v2', () => {
  it('sends a fire as a trigger and its resolve as a resolve, with one stable dedup_key', async () => {
    pd = await startHttpStandIn(undefined, ACCEPTED)
    const fire = decision({
      rule: 'device-tampered',
      event_id: 'evt_fire',
      event: {
        event_id: 'evt_fire',
        event_type: 'device.tampered',
        created_at: '2026-03-01T12:00:00.000Z',
        occurred_at: '2026-03-01T12:00:00.000Z',
        device_id: 'dev_1',
      },
    })
    const resolve = decision({ rule: 'device-tampered', kind: 'resolve', event_id: 'evt_back' })
    const state = await queued([fire, resolve])
    const { worker } = makeWorker({
      state,
      notifiers: { pagerduty: new PagerDutyNotifier(`${pd.url}/v2/enqueue`) },
      actions: { 'rule:device-tampered#0': action },
      deviceName: async () => 'Front <b>Door</b>',
    })
    await worker.drain(10_000)
    expect(pd.calls.map((c) => [c.method, c.path, c.headers['content-type']])).toEqual([
      ['POST', '/v2/enqueue', 'application/json'],
      ['POST', '/v2/enqueue', 'application/json'],
    ])
    const key = 'seam-alerts:device-tampered|{"device_id":"dev_1"}'
    expect(pd.calls[0]?.json).toEqual({
      routing_key: KEY,
      event_action: 'trigger',
      dedup_key: key,
      client: 'seam-alerts',
      payload: {
        summary: 'Front <b>Door</b>: Rule device-tampered (rule device-tampered)',
        source: 'Front <b>Door</b>',
        severity: 'critical',
        timestamp: '2026-03-01T12:00:00.000Z',
        component: 'device.tampered',
        custom_details: {
          event_id: 'evt_fire',
          event_type: 'device.tampered',
          group: { device_id: 'dev_1' },
          device_id: 'dev_1',
        },
      },
    })
    expect(pd.calls[1]?.json).toEqual({ routing_key: KEY, event_action: 'resolve', dedup_key: key })
    expect(state.current().sent).toHaveLength(2)
    // The routing key is a secret: never in the state.
    expect(JSON.stringify(state.current())).not.toContain(KEY)
  })

  it("maps the rule's severity unless the action sets one; strips control characters from text", async () => {
    pd = await startHttpStandIn(undefined, ACCEPTED)
    const notifier = new PagerDutyNotifier(pd.url)
    const message = {
      id: 'x:fire:evt_1:0',
      decision: decision({ group: { device_id: 'dev\u001b[31m_1' } }),
      action: { type: 'pagerduty', routingKey: KEY, severity: 'error', title: '{{event.note}}' } as Action,
      rule: { id: 'x', severity: 'info' },
      timezone: 'UTC',
    }
    message.decision.event = { ...message.decision.event, note: '<!channel> **bold**\r\nBcc: x\u0007' }
    await notifier.send(message, AbortSignal.timeout(5000))
    const payload = (pd.calls[0]!.json as { payload: Record<string, unknown> }).payload
    expect(payload.severity).toBe('error')
    expect(payload.summary).toBe('<!channel> **bold** Bcc: x (rule x)')
    expect(payload.source).toBe('dev[31m_1')
  })

  it('keeps dedup_key within 255 characters by hashing a long group, the same every time', () => {
    const group = { device_id: 'd'.repeat(300) }
    const key = dedupKey('rule', group)
    expect(key).toMatch(/^seam-alerts:sha256:[0-9a-f]{64}$/)
    expect(dedupKey('rule', { device_id: 'd'.repeat(300) })).toBe(key)
    expect(dedupKey('rule', { device_id: 'e'.repeat(300) })).not.toBe(key)
  })

  it('retries 429 after its Retry-After and 5xx with backoff, then counts 202 as sent', async () => {
    pd = await startHttpStandIn((_call, nth) =>
      nth === 1
        ? { status: 429, headers: { 'retry-after': '120' }, body: '{"status":"throttle event"}' }
        : nth === 2
          ? { status: 503, body: 'upstream down' }
          : ACCEPTED,
    )
    const state = await queued([decision()])
    const outcomes: Array<{ outcome: string; id: string; error?: string }> = []
    const { worker, clock } = makeWorker({
      state,
      notifiers: { pagerduty: new PagerDutyNotifier(pd.url) },
      actions: { 'rule:battery-low#0': action },
      outcomes,
    })
    await worker.drain(600_000)
    expect(outcomes.map((o) => o.outcome)).toEqual(['retry', 'retry', 'sent'])
    expect(outcomes[0]?.error).toBe('pagerduty: HTTP 429 throttle event')
    expect(outcomes[1]?.error).toBe('pagerduty: HTTP 503 upstream down')
    expect(clock.now() - T0).toBeGreaterThanOrEqual(120_000)
    expect(state.current().sent).toHaveLength(1)
  })

  it("dead-letters a 400 at once with PagerDuty's error message", async () => {
    pd = await startHttpStandIn(() => ({
      status: 400,
      body: JSON.stringify({
        status: 'invalid event',
        message: 'Event object is invalid',
        errors: ["Length of 'routing_key' is incorrect (should be 32 characters)"],
      }),
    }))
    const state = await queued([decision()])
    const { worker } = makeWorker({
      state,
      notifiers: { pagerduty: new PagerDutyNotifier(pd.url) },
      actions: { 'rule:battery-low#0': action },
    })
    await worker.drain(10_000)
    expect(pd.calls).toHaveLength(1)
    const dead = state.current().deadLetters
    expect(dead.map((d) => [d.reason, d.attempts])).toEqual([
      [
        "pagerduty: HTTP 400 invalid event: Event object is invalid (Length of 'routing_key' is incorrect (should be 32 characters))",
        1,
      ],
    ])
    expect(JSON.stringify(dead)).not.toContain(KEY)
  })

  it('sends a rollup as one event per incident, each with its own dedup_key', async () => {
    pd = await startHttpStandIn(undefined, ACCEPTED)
    const fires = Array.from({ length: 12 }, (_, i) =>
      decision({ event_id: `evt_${i}`, group: { device_id: `dev_${i}` } }),
    )
    const state = await queued(fires)
    const { worker } = makeWorker({
      state,
      notifiers: { pagerduty: new PagerDutyNotifier(pd.url) },
      actions: { 'rule:battery-low#0': action },
      delivery: { rollupAbove: 10 },
    })
    await worker.drain(10_000)
    const keys = pd.calls.map((c) => (c.json as { dedup_key: string }).dedup_key).sort()
    expect(keys).toEqual(fires.map((f) => dedupKey(f.rule, f.group)).sort())
    expect(state.current().sent).toHaveLength(12)
  })

  it('dead-letters an item whose routing key can no longer be resolved (the rule is gone)', async () => {
    pd = await startHttpStandIn(undefined, ACCEPTED)
    const state = await queued([decision()])
    const { worker } = makeWorker({ state, notifiers: { pagerduty: new PagerDutyNotifier(pd.url) } })
    await worker.drain(10_000)
    expect(pd.calls).toHaveLength(0)
    expect(state.current().deadLetters[0]?.reason).toContain('can no longer be resolved')
  })
})
