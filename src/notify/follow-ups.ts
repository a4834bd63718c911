import { ownMap } from '../frozen.js'
import { type Action, actionTarget } from '../rules/action-schema.js'
import { type MessageStatus, type SlackMessageRecord, slackMessageKey } from '../state/slack-messages.js'
import type { OutboxItem, State } from '../state/state-schema.js'
import { storedAction } from './outbox.js'

/**
 * Follow-ups go through the outbox like alerts (retried with backoff, dead-lettered when they keep failing), and
 * are queued in the same state update as the change they report, so the outbox's atomic-with-state guarantee
 * holds for them too: an acknowledgement is never saved without the edit that shows it, or the other way round.
 */

/** Edit ids: `edit:<channel>|<ts>:<n>`, n counting the message's edits (stable across a re-applied update). */
const editPrefix = (key: string) => `edit:${key}:`

/**
 * Give a message a new status and queue the `chat.update` that shows it. Each edit carries the whole status, so a
 * queued older edit of the same message is replaced by this one (one in flight at a time per target keeps the
 * order of what is sent). Returns the updated record.
 */
export function queueMessageEdit(
  draft: State,
  record: SlackMessageRecord,
  status: MessageStatus,
  now: number,
): SlackMessageRecord {
  const key = slackMessageKey(record.channel, record.ts)
  const next: SlackMessageRecord = { ...record, status, edits: record.edits + 1 }
  draft.slackMessages ??= {}
  ownMap(draft, 'slackMessages')[key] = next
  const prefix = editPrefix(key)
  draft.outbox = draft.outbox.filter(
    (item) => !(item.followUp?.type === 'slack-edit' && item.id.startsWith(prefix)),
  )
  const decision = record.decision as OutboxItem['decision']
  draft.outbox.push({
    id: `${prefix}${next.edits}`,
    decision,
    action: record.action,
    actionRef: record.actionRef,
    target: record.target,
    createdAt: now,
    attempts: 0,
    nextAttemptAt: now,
    followUp: {
      type: 'slack-edit',
      channel: record.channel,
      ts: record.ts,
      status,
      ...(record.rollup ? { rollup: record.rollup } : {}),
    },
  })
  return next
}

/**
 * Forward an incident's acknowledgement to each PagerDuty action of its rule (`actions` with their indexes, as the
 * rule lists them): one outbox item per action, id `ack:<alert item id>:<index>` (the alert the button was on, so
 * a later incident of the same group is acknowledged afresh), never queued twice.
 */
export function queueAcknowledgements(
  draft: State,
  alertItem: string,
  decision: OutboxItem['decision'],
  actions: readonly Action[],
  ack: { by: string; at: number },
): number {
  const known = new Set([...draft.outbox, ...draft.sent, ...draft.deadLetters].map((item) => item.id))
  let queued = 0
  actions.forEach((action, index) => {
    if (action.type !== 'pagerduty') return
    const id = `ack:${alertItem}:${index}`
    if (known.has(id)) return
    draft.outbox.push({
      id,
      decision,
      action: storedAction(action),
      actionRef: `rule:${decision.rule}#${index}`,
      target: actionTarget(action),
      createdAt: ack.at,
      attempts: 0,
      nextAttemptAt: ack.at,
      followUp: { type: 'acknowledge', by: ack.by, at: ack.at },
    })
    queued++
  })
  return queued
}
