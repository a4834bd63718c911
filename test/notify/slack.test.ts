import { afterEach, describe, expect, it } from 'vitest'
import { silentLogger } from '../../src/log.js'
import { enqueueDecisions } from '../../src/notify/outbox.js'
import { SlackNotifier } from '../../src/notify/slack.js'
import { SlackWebhookNotifier } from '../../src/notify/slack-webhook.js'
import type { Action } from '../../src/rules/action-schema.js'
import { openState } from '../helpers/fixtures.js'
import { decision, makeWorker, startSlackStandIn } from './helpers.js'

type StandIn = Awaited<ReturnType<typeof startSlackStandIn>>
let standIn: StandIn | undefined
afterEach(async () => {
  await standIn?.close()
  standIn = undefined
})

const slack = (apiUrl: string) =>
  new SlackNotifier({ token: 'xoxb-test-token', apiUrl, logger: silentLogger })
const lookupFor = (actions: Action[]) => () => ({ actions })

describe('Slack via chat.postMessage', () => {
  it('posts a Block Kit alert and threads the resolve under it', async () => {
    standIn = await startSlackStandIn()
    const state = await openState()
    const actions: Action[] = [{ type: 'slack', channel: '#security' }]
    await state.update((d) => enqueueDecisions(d, [decision()], lookupFor(actions), 1))
    const { worker } = makeWorker({
      state,
      notifiers: { slack: slack(standIn.apiUrl) },
      deviceName: async () => 'Front Door',
    })
    await worker.drain(5000)
    const [fire] = standIn.posted()
    expect(fire?.auth).toBe('Bearer xoxb-test-token')
    expect(fire?.body.channel).toBe('#security')
    expect(fire?.body.thread_ts).toBeUndefined()
    const blocks = fire?.body.blocks as Array<{ type: string; text?: { text: string }; fields?: unknown[] }>
    expect(blocks[0]).toMatchObject({ type: 'header', text: { type: 'plain_text' } })
    expect(blocks[0]?.text?.text).toContain('CRITICAL')
    expect(blocks[0]?.text?.text).toContain('battery-low')
    const fields = JSON.stringify(blocks.find((b) => b.fields))
    expect(fields).toContain('Front Door (dev_1)')
    expect(fields).toContain('battery_level')
    expect(fields).toContain('2026-03-01 13:00:00') // Europe/Paris
    const context = JSON.stringify(blocks.at(-1))
    expect(context).toContain('battery-low')
    expect(context).toContain('evt_1')
    expect(String(fire?.body.text)).toContain('evt_1')

    const sent = state.current()
    expect(sent.outbox).toHaveLength(0)
    expect(sent.sent.map((s) => s.id)).toEqual(['battery-low:fire:evt_1:0'])
    const thread = Object.values(sent.threads)[0]
    expect(thread?.slack['slack:#security']).toEqual({
      channel: 'C_security',
      ts: fire?.body.ts ?? expect.any(String),
    })

    const resolve = decision({
      kind: 'resolve',
      event_id: 'evt_2',
      at: '2026-03-01T14:05:00.000Z',
      firedAt: '2026-03-01T12:00:00.000Z',
      firedEventId: 'evt_1',
    })
    await state.update((d) => enqueueDecisions(d, [resolve], lookupFor(actions), 2))
    await worker.drain(5000)
    const reply = standIn.posted()[1]
    expect(reply?.body.thread_ts).toBe(thread?.slack['slack:#security']?.ts)
    expect(reply?.body.channel).toBe('C_security')
    expect(JSON.stringify(reply?.body.blocks)).toContain('2h 5m')
    expect(JSON.stringify(reply?.body.blocks)).toContain('RESOLVED')
  })

  it('waits for the fire before sending its resolve (both queued at once, fire retried first)', async () => {
    standIn = await startSlackStandIn((_call, nth) => (nth === 1 ? { status: 503, body: 'down' } : undefined))
    const state = await openState()
    const actions: Action[] = [{ type: 'slack', channel: '#ops' }]
    const resolve = decision({ kind: 'resolve', event_id: 'evt_2', firedAt: '2026-03-01T12:00:00.000Z' })
    await state.update((d) => enqueueDecisions(d, [decision(), resolve], lookupFor(actions), 1))
    // No pacing, so only the resolve-waits-for-its-fire rule keeps the resolve behind the fire's retry.
    const { worker } = makeWorker({
      state,
      notifiers: { slack: slack(standIn.apiUrl) },
      delivery: { slackPace: 0 },
    })
    await worker.drain(10_000)
    const posted = standIn.posted()
    expect(posted).toHaveLength(3)
    expect(posted[0]?.body.thread_ts).toBeUndefined() // the 503
    expect(posted[1]?.body.thread_ts).toBeUndefined() // the fire, retried
    expect(posted[2]?.body.thread_ts).toBeDefined() // the resolve, threaded
    expect(state.current().outbox).toHaveLength(0)
  })

  it('retries a 429 after Retry-After and dead-letters channel_not_found at once, other channels unaffected', async () => {
    standIn = await startSlackStandIn((call) => {
      if (call.body.channel === '#gone') return { body: { ok: false, error: 'channel_not_found' } }
      if (
        call.body.channel === '#busy' &&
        standIn!.posted().filter((c) => c.body.channel === '#busy').length === 1
      )
        return { status: 429, headers: { 'retry-after': '3' }, body: { ok: false, error: 'ratelimited' } }
      return undefined
    })
    const state = await openState()
    const actions: Action[] = [
      { type: 'slack', channel: '#gone' },
      { type: 'slack', channel: '#busy' },
      { type: 'slack', channel: '#fine' },
    ]
    await state.update((d) => enqueueDecisions(d, [decision()], lookupFor(actions), 1))
    const outcomes: Array<{ outcome: string; id: string; error?: string }> = []
    const { worker, clock } = makeWorker({ state, notifiers: { slack: slack(standIn.apiUrl) }, outcomes })
    const start = clock.now()
    await worker.drain(60_000)
    const byChannel = (c: string) => standIn!.posted().filter((call) => call.body.channel === c)
    expect(byChannel('#gone')).toHaveLength(1) // no retries
    expect(byChannel('#busy')).toHaveLength(2) // 429, then success
    expect(byChannel('#fine')).toHaveLength(1)
    expect(clock.now() - start).toBeGreaterThanOrEqual(3000) // waited out Retry-After (manual clock)
    const s = state.current()
    expect(s.outbox).toHaveLength(0)
    expect(s.deadLetters).toHaveLength(1)
    expect(s.deadLetters[0]).toMatchObject({ target: 'slack:#gone', reason: 'slack: channel_not_found' })
    expect(s.sent.map((x) => x.target).sort()).toEqual(['slack:#busy', 'slack:#fine'])
    expect(outcomes.filter((o) => o.outcome === 'retry')).toEqual([
      expect.objectContaining({
        id: 'battery-low:fire:evt_1:1',
        error: expect.stringContaining('rate limited'),
      }),
    ])
  })

  it('classifies invalid_auth as permanent and 5xx as retryable up to maxAttempts', async () => {
    standIn = await startSlackStandIn((call) =>
      call.body.channel === '#auth'
        ? { body: { ok: false, error: 'invalid_auth' } }
        : { status: 502, body: 'bad' },
    )
    const state = await openState()
    const actions: Action[] = [
      { type: 'slack', channel: '#auth' },
      { type: 'slack', channel: '#flaky' },
    ]
    await state.update((d) => enqueueDecisions(d, [decision()], lookupFor(actions), 1))
    const { worker } = makeWorker({
      state,
      notifiers: { slack: slack(standIn.apiUrl) },
      delivery: { maxAttempts: 3 },
    })
    await worker.drain(3_600_000)
    const posted = standIn.posted()
    expect(posted.filter((c) => c.body.channel === '#auth')).toHaveLength(1)
    expect(posted.filter((c) => c.body.channel === '#flaky')).toHaveLength(3)
    const dead = state.current().deadLetters
    expect(dead.map((d) => [d.target, d.attempts])).toEqual(
      expect.arrayContaining([
        ['slack:#auth', 1],
        ['slack:#flaky', 3],
      ]),
    )
    expect(dead.find((d) => d.target === 'slack:#flaky')?.reason).toContain('HTTP 502')
  })
})

describe('Slack incoming webhook', () => {
  it('posts Block Kit to the URL resolved at send time (never stored) and dead-letters a 404', async () => {
    standIn = await startSlackStandIn((call) =>
      call.method === 'gone' ? { status: 404, body: 'no_service' } : { body: 'ok' },
    )
    const url = `${standIn.url}/services/T000/B000/secret`
    const goneUrl = `${standIn.url}/services/T000/B000/gone`
    const state = await openState()
    const actions: Action[] = [
      { type: 'slack', webhookUrl: url },
      { type: 'slack', webhookUrl: goneUrl },
    ]
    await state.update((d) => enqueueDecisions(d, [decision()], lookupFor(actions), 1))
    expect(JSON.stringify(state.current())).not.toContain('/services/')
    const { worker } = makeWorker({
      state,
      notifiers: { 'slack-webhook': new SlackWebhookNotifier() },
      actions: { 'rule:battery-low#0': actions[0]!, 'rule:battery-low#1': actions[1]! },
    })
    await worker.drain(5000)
    const [call] = standIn.calls.filter((c) => c.method === 'secret')
    expect(call?.contentType).toContain('application/json')
    expect(JSON.stringify(call?.body.blocks)).toContain('evt_1')
    const s = state.current()
    expect(s.sent).toHaveLength(1)
    expect(s.deadLetters).toHaveLength(1)
    expect(s.deadLetters[0]?.reason).toContain('HTTP 404')
    expect(standIn.calls.filter((c) => c.method === 'gone')).toHaveLength(1)
    expect(JSON.stringify(s)).not.toContain('/services/')
  })
})
