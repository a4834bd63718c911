/**
 * Slack buttons and the outbox follow-ups: the buttons a message carries (and the ones left after each step), the
 * message index written with a send, `chat.update` edits through the delivery worker (retried, then sent), and
 * acknowledgements forwarded to PagerDuty, against the Web API stand-in and an HTTP stand-in.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { silentLogger } from '../../src/log.js'
import { DeliveryWorker } from '../../src/notify/delivery-worker.js'
import { queueAcknowledgements, queueMessageEdit } from '../../src/notify/follow-ups.js'
import { enqueueDecisions } from '../../src/notify/outbox.js'
import { PagerDutyNotifier } from '../../src/notify/pagerduty.js'
import { SlackNotifier } from '../../src/notify/slack.js'
import { actionsBlock, mention, statusLines } from '../../src/notify/slack-buttons.js'
import type { Action } from '../../src/rules/action-schema.js'
import { openState, T0 } from '../helpers/fixtures.js'
import { type HttpStandIn, startHttpStandIn } from '../helpers/http-stand-in.js'
import { blockErrors, type SlackStandIn } from '../helpers/slack-stand-in.js'
import { decision, delivery, makeWorker, startSlackStandIn } from './helpers.js'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const ids = (block: Record<string, unknown> | undefined) =>
  ((block?.elements as Array<{ action_id: string; value: string }>) ?? []).map(
    (e) => `${e.action_id}=${e.value}`,
  )

describe('buttons', () => {
  it('Acknowledge plus one Silence per choice; fewer as the incident moves on; none once resolved', () => {
    expect(ids(actionsBlock(['1h', '1d']))).toEqual([
      'seam_alerts.ack=ack',
      'seam_alerts.silence.1h=1h',
      'seam_alerts.silence.1d=1d',
    ])
    expect(blockErrors([actionsBlock(['1h', '1d', '30m', '7d', '2h'])])).toEqual([])
    const acknowledged = { acknowledged: { by: 'U1', at: T0 } }
    expect(ids(actionsBlock(['1h'], acknowledged))).toEqual(['seam_alerts.silence.1h=1h'])
    expect(ids(actionsBlock(['1h'], { silenced: { by: 'U1', until: T0, silenceId: 's' } }))).toEqual([
      'seam_alerts.ack=ack',
    ])
    expect(actionsBlock(['1h'], { resolved: { at: T0 } })).toBeUndefined()
  })

  it('status lines name who and when; a user that is not a plain id is never a mention', () => {
    const lines = statusLines(
      { acknowledged: { by: 'U1', at: T0 }, resolved: { at: T0 + 3_600_000, lastedMs: 3_600_000 } },
      'UTC',
    )
    expect(lines[0]).toMatch(/^:eyes: Acknowledged by <@U1> at /)
    expect(lines[1]).toMatch(
      /^:white_check_mark: Resolved at 2026-03-01 13:00:00 UTC after 1h · acknowledged by <@U1>$/,
    )
    expect(mention('<!channel>')).not.toContain('<!channel>')
  })
})

const SLACK: Action = { type: 'slack', channel: '#doors' }

async function slackRig(script?: Parameters<typeof startSlackStandIn>[0]) {
  const slack: SlackStandIn = await startSlackStandIn(script)
  cleanups.push(slack.close)
  const notifier = new SlackNotifier({
    token: 'xoxb-t',
    apiUrl: slack.apiUrl,
    logger: silentLogger,
    silenceChoices: ['1h', '1d'],
  })
  const state = await openState()
  const outcomes: Array<{ outcome: string; id: string; error?: string }> = []
  const { worker } = makeWorker({ state, notifiers: { slack: notifier }, outcomes })
  return { slack, state, worker, outcomes }
}

describe('edits through the outbox', () => {
  it('an alert the daemon does not mark interactive (digest, meta-alert) gets no buttons and no index', async () => {
    const r = await slackRig()
    await r.state.update((d) => enqueueDecisions(d, [decision()], () => ({ actions: [SLACK] }), T0))
    await r.worker.drain(5000)
    expect(r.slack.messages()[0]?.blocks?.some((b) => (b as { type: string }).type === 'actions')).toBe(false)
    expect(r.state.current().slackMessages ?? {}).toEqual({})
  })

  it('records the message of a send with buttons, and delivers a queued edit with retries', async () => {
    let updates = 0
    const slack: SlackStandIn = await startSlackStandIn((call) => {
      if (call.method !== 'chat.update') return undefined
      updates += 1
      return updates === 1 ? { status: 503 } : undefined
    })
    cleanups.push(slack.close)
    const notifier = new SlackNotifier({
      token: 'xoxb-t',
      apiUrl: slack.apiUrl,
      logger: silentLogger,
      silenceChoices: ['1h', '1d'],
    })
    const state = await openState()
    const outcomes: Array<{ outcome: string; id: string; error?: string }> = []
    const { clock } = makeWorker({ state, notifiers: {} })
    const worker = new DeliveryWorker({
      state,
      notifiers: { slack: notifier },
      resolveAction: () => undefined,
      ruleInfo: () => ({ description: 'Battery low', severity: 'warning' }),
      interactive: () => true,
      clock,
      logger: silentLogger,
      delivery: delivery(),
      timezone: 'UTC',
      random: () => 0.5,
      onOutcome: (outcome, item, error) => outcomes.push({ outcome, id: item.id, error }),
      sleep: async (ms) => {
        clock.advance(ms)
      },
    })
    await state.update((d) => enqueueDecisions(d, [decision()], () => ({ actions: [SLACK] }), T0))
    await worker.drain(5000)
    const posted = slack.messages()[0]!
    const records = Object.values(state.current().slackMessages ?? {})
    expect(records).toMatchObject([{ channel: posted.channel, ts: posted.ts, target: 'slack:#doors' }])

    await state.update((d) => {
      queueMessageEdit(d, records[0]!, { acknowledged: { by: 'U1', at: T0 } }, clock.now())
    })
    await worker.drain(120_000)
    expect(outcomes.map((o) => [o.outcome, o.id])).toEqual([
      ['sent', 'battery-low:fire:evt_1:0'],
      ['retry', `edit:${posted.channel}|${posted.ts}:1`],
      ['sent', `edit:${posted.channel}|${posted.ts}:1`],
    ])
    expect(state.current().outbox).toEqual([])
    const now = slack.message(posted.channel, posted.ts)!
    expect(JSON.stringify(now.blocks)).toContain('Acknowledged by <@U1>')
    // An edit is not an alert: no history entry, no thread of its own.
    expect(state.current().history.map((e) => e.outcome)).toEqual(['sent'])
  })
})

describe('acknowledgements forwarded to PagerDuty', () => {
  let pd: HttpStandIn | undefined
  afterEach(async () => {
    await pd?.close()
    pd = undefined
  })

  it('sends an acknowledge event with the trigger dedup_key, through the outbox', async () => {
    pd = await startHttpStandIn(undefined, { status: 202, body: '{"status":"success"}' })
    const KEY = 'R0UT1NGKEY0000000000000000000000'
    const action: Action = { type: 'pagerduty', routingKey: KEY }
    const state = await openState()
    const fire = decision()
    await state.update((d) => {
      enqueueDecisions(d, [fire], () => ({ actions: [action] }), T0)
      queueAcknowledgements(d, 'battery-low:fire:evt_1:0', d.outbox[0]!.decision, [action], {
        by: 'U1',
        at: T0,
      })
      queueAcknowledgements(d, 'battery-low:fire:evt_1:0', d.outbox[0]!.decision, [action], {
        by: 'U1',
        at: T0,
      })
    })
    expect(state.current().outbox).toHaveLength(2)
    const { worker } = makeWorker({
      state,
      notifiers: { pagerduty: new PagerDutyNotifier(pd.url) },
      actions: { 'rule:battery-low#0': action },
    })
    await worker.drain(10_000)
    const sent = pd.calls.map((c) => c.json as Record<string, unknown>)
    expect(sent.map((e) => e.event_action)).toEqual(['trigger', 'acknowledge'])
    expect(sent[1]).toEqual({ routing_key: KEY, event_action: 'acknowledge', dedup_key: sent[0]?.dedup_key })
    expect(JSON.stringify(state.current())).not.toContain(KEY)
  })
})
