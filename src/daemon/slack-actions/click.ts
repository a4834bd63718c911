import { parseDuration } from '../../duration.js'
import { ackOf, setAck } from '../../noise/acknowledgements.js'
import { appendHistory } from '../../noise/history-log.js'
import { formatMatcher } from '../../noise/matcher.js'
import { addSilence } from '../../noise/silence-ops.js'
import { createSilence } from '../../noise/silence-request.js'
import { queueAcknowledgements, queueMessageEdit } from '../../notify/follow-ups.js'
import { formatTime } from '../../notify/format.js'
import { ACK_ACTION_ID, isSilenceAction, mention } from '../../notify/slack-buttons.js'
import type { Action } from '../../rules/action-schema.js'
import { type SlackMessageRecord, slackMessageKey } from '../../state/slack-messages.js'
import type { OutboxItem, State } from '../../state/state-schema.js'

/** One button click, as read from a Socket Mode `interactive` envelope's `block_actions` payload. */
export interface Click {
  envelopeId: string
  action: 'acknowledge' | 'silence' | 'other'
  /** The button's value (`ack`, or a silence duration such as `1h`). */
  value: string
  channel: string
  /** The ts of the message the button is on. */
  ts: string
  /** Slack user id (`U…`) and, when Slack sent it, the user name. */
  user: string
  userName?: string
}

export type ClickOutcome = 'acknowledged' | 'silenced' | 'duplicate' | 'unknown' | 'invalid'

export interface ClickResult {
  outcome: ClickOutcome
  /** An ephemeral reply for the clicking user, when there is something to tell. */
  reply?: string
  /** Outbox items were queued (kick the delivery worker). */
  queued: boolean
}

export interface ClickDeps {
  now: number
  /** slack.silenceChoices: the only durations a Silence click may ask for. */
  silenceChoices: readonly string[]
  timezone: string
  /** The live rule: its actions (PagerDuty forwarding) and whether it resolves. Undefined: no longer loaded. */
  rule(id: string): { resolve?: unknown; actions: readonly Action[] } | undefined
}

export const NOT_TRACKED = 'This alert is no longer tracked by seam-alerts, so the button did nothing.'

const str = (value: unknown): string | undefined => (typeof value === 'string' && value ? value : undefined)

/** Read a click from a `block_actions` payload; undefined when it is not one of our buttons (or malformed). */
export function parseClick(envelopeId: string, payload: unknown): Click | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined
  // biome-ignore lint/suspicious/noExplicitAny: Slack's payload, read field by field and checked with str()
  const p = payload as Record<string, any>
  if (p.type !== 'block_actions' || !Array.isArray(p.actions) || p.actions.length === 0) return undefined
  const first = p.actions[0] as Record<string, unknown>
  const actionId = str(first?.action_id) ?? ''
  const channel = str(p.channel?.id) ?? str(p.container?.channel_id)
  const ts = str(p.container?.message_ts) ?? str(p.message?.ts)
  const user = str(p.user?.id)
  if (!channel || !ts || !user) return undefined
  const action = actionId === ACK_ACTION_ID ? 'acknowledge' : isSilenceAction(actionId) ? 'silence' : 'other'
  const userName = str(p.user?.username) ?? str(p.user?.name)
  return {
    envelopeId,
    action,
    value: str(first?.value) ?? '',
    channel,
    ts,
    user,
    ...(userName ? { userName } : {}),
  }
}

/** The message a click is about, when this daemon sent it and still tracks it. */
export function clickedMessage(state: State, click: Click): SlackMessageRecord | undefined {
  return state.slackMessages?.[slackMessageKey(click.channel, click.ts)]
}

const author = (click: Click) =>
  click.userName ? `${click.userName} (slack:${click.user})` : `slack:${click.user}`

function remember(record: SlackMessageRecord, envelopeId: string): SlackMessageRecord {
  return { ...record, envelopes: [...record.envelopes, envelopeId].slice(-20) }
}

function acknowledge(draft: State, record: SlackMessageRecord, click: Click, deps: ClickDeps): ClickResult {
  const { now } = deps
  const done = record.status.acknowledged
  if (done) {
    const reply = `Already acknowledged by ${mention(done.by)}.`
    return { outcome: 'duplicate', reply, queued: false }
  }
  if (record.status.resolved)
    return { outcome: 'duplicate', reply: 'This alert has already resolved.', queued: false }
  const rule = deps.rule(record.rule)
  const open = record.incidents.filter((incident) => draft.noise.open[incident] !== undefined)
  if (!rule || (rule.resolve && open.length === 0))
    return { outcome: 'unknown', reply: NOT_TRACKED, queued: false }
  const decision = record.decision as OutboxItem['decision']
  for (const incident of open) {
    if (!ackOf(draft, incident)) setAck(draft, incident, { rule: record.rule, by: click.user, at: now })
  }
  for (const incident of record.incidents) {
    const labels = record.groups[incident] as Record<string, string>
    appendHistory(draft, {
      at: now,
      rule: record.rule,
      kind: 'fire',
      event_id: decision.event_id,
      labels,
      outcome: 'acknowledged',
      target: record.target,
      item: record.item,
      ref: record.ts,
      by: click.user,
    })
  }
  queueAcknowledgements(draft, record.item, decision, rule.actions, { by: click.user, at: now })
  const status = { ...record.status, acknowledged: { by: click.user, at: now } }
  queueMessageEdit(draft, remember(record, click.envelopeId), status, now)
  return { outcome: 'acknowledged', queued: true }
}

function silence(draft: State, record: SlackMessageRecord, click: Click, deps: ClickDeps): ClickResult {
  const { now } = deps
  if (!deps.silenceChoices.includes(click.value)) {
    return {
      outcome: 'invalid',
      reply: `"${click.value}" is not one of the silence durations offered.`,
      queued: false,
    }
  }
  if (!deps.rule(record.rule)) return { outcome: 'unknown', reply: NOT_TRACKED, queued: false }
  const already = record.status.silenced
  if (already && already.until >= now + parseDuration(click.value)) {
    const reply = `Already silenced by ${mention(already.by)} until ${formatTime(already.until, deps.timezone)}.`
    return { outcome: 'duplicate', reply, queued: false }
  }
  const ids: string[] = []
  let until = now
  for (const incident of record.incidents) {
    const labels = record.groups[incident] as Record<string, string>
    const matchers = Object.entries(labels).map(([name, value]) => formatMatcher({ name, op: '=', value }))
    const request = { matchers, duration: click.value, createdBy: author(click), comment: 'from Slack' }
    const made = createSilence(request, { now, defaultAuthor: author(click) })
    if (!made.ok)
      return { outcome: 'invalid', reply: 'Could not make a silence for this alert.', queued: false }
    addSilence(draft, made.silence)
    ids.push(made.silence.id)
    until = Date.parse(made.silence.endsAt)
  }
  const status = { ...record.status, silenced: { by: click.user, until, silenceId: ids[0] ?? '' } }
  queueMessageEdit(draft, remember(record, click.envelopeId), status, now)
  return { outcome: 'silenced', queued: true }
}

/**
 * Apply one click to a draft (inside a state update). Only a message found in the state by the click's channel
 * and ts is acted on; an unknown message, a rule that is gone or an incident no longer open gets the "no longer
 * tracked" reply and changes nothing. A redelivered envelope, or a second Acknowledge, changes nothing either.
 */
export function applyClick(draft: State, click: Click, deps: ClickDeps): ClickResult {
  const record = clickedMessage(draft, click)
  if (!record) return { outcome: 'unknown', reply: NOT_TRACKED, queued: false }
  if (record.envelopes.includes(click.envelopeId)) return { outcome: 'duplicate', queued: false }
  if (click.action === 'acknowledge') return acknowledge(draft, record, click, deps)
  if (click.action === 'silence') return silence(draft, record, click, deps)
  return { outcome: 'invalid', queued: false }
}
