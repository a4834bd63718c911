import { errorText } from '../error-text.js'
import { ownMap } from '../frozen.js'
import { appendHistory, itemHistory } from '../noise/history-log.js'
import { type Action, actionTarget } from '../rules/action-schema.js'
import { type Group, incidentKey } from '../rules/decision.js'
import type { DeadLetter, OutboxItem, State } from '../state/state-schema.js'
import type { DeliveryReceipt } from './notifier.js'
import { recordSlackMessage } from './slack-message-index.js'

/** The result of one send attempt for one or more outbox items (several for a rollup). */
export type Outcome =
  | { type: 'sent'; items: OutboxItem[]; receipt: DeliveryReceipt; at: number; rollup?: boolean }
  | { type: 'retry'; items: OutboxItem[]; error: string; at: number; nextAttemptAt: number }
  | { type: 'dead'; items: OutboxItem[]; reason: string; at: number }

/** The incident's thread record, ready to change: a stored one (frozen, shared with the saved state) is copied. */
function thread(draft: State, item: OutboxItem) {
  const key = incidentKey(item.decision.rule, item.decision.group as Group)
  const threads = ownMap(draft, 'threads')
  const stored = threads[key]
  if (stored && !Object.isFrozen(stored)) return stored
  const record = stored
    ? { ...stored, slack: { ...stored.slack }, email: { ...stored.email } }
    : { slack: {}, email: {} }
  threads[key] = record
  return record
}

function recordThread(draft: State, item: OutboxItem, receipt: DeliveryReceipt): void {
  if (item.decision.kind !== 'fire' || !receipt.ref) return
  if (item.target.startsWith('slack:') && receipt.channel) {
    const record = thread(draft, item)
    record.slack[item.target] = { channel: receipt.channel, ts: receipt.ref }
    record.firedAt ??= Date.parse(item.decision.at)
  } else if (item.target.startsWith('email:')) {
    const record = thread(draft, item)
    record.email[item.target] = receipt.ref
    record.firedAt ??= Date.parse(item.decision.at)
  }
}

/**
 * The dead letter for the recipients an SMTP server refused while it accepted the others: the same alert,
 * addressed to them only, so `state dead-letters` lists it and `--retry` sends it to them alone. Undefined when
 * nothing was refused, or when it is already recorded (the same outcome applied again after a crash).
 */
function refusedCopy(
  draft: State,
  item: OutboxItem,
  receipt: DeliveryReceipt,
  at: number,
): DeadLetter | undefined {
  const action = item.action as Action
  if (!receipt.refused || action.type !== 'email') return undefined
  const id = `${item.id}#refused`
  if (draft.deadLetters.some((dead) => dead.id === id)) return undefined
  const { cc: _cc, ...rest } = action
  const narrowed: Action = { ...rest, to: receipt.refused.recipients }
  const reason = errorText(
    `the SMTP server refused ${receipt.refused.recipients.join(', ')}: ${receipt.refused.reason}`,
  )
  return {
    ...item,
    id,
    action: narrowed,
    target: actionTarget(narrowed),
    attempts: item.attempts + 1,
    lastError: reason,
    deadAt: at,
    reason,
  }
}

/**
 * Apply a batch of outcomes to the state draft (inside one StateAccess.update). Error texts are scrubbed of
 * every configured secret and capped (errorText) here, where they enter the state (`state dead-letters` prints them).
 */
export function applyOutcomes(draft: State, outcomes: readonly Outcome[]): void {
  const index = new Map(draft.outbox.map((item, i) => [item.id, i]))
  const remove = new Set<string>()
  for (const outcome of outcomes) {
    for (const item of outcome.items) {
      const at = index.get(item.id)
      const current = at === undefined ? undefined : draft.outbox[at]
      if (!current) continue // already handled elsewhere (e.g. `state dead-letters` edited it)
      if (outcome.type === 'sent') {
        remove.add(item.id)
        draft.sent.push({ id: item.id, target: item.target, sentAt: outcome.at, ref: outcome.receipt.ref })
        // A follow-up (message edit, acknowledgement) is not an alert: no thread, no history entry of its own.
        if (current.followUp) continue
        recordThread(draft, item, outcome.receipt)
        const sent = outcome.rollup ? 'rolled-up' : 'sent'
        appendHistory(draft, itemHistory(current, sent, outcome.at, { ref: outcome.receipt.ref }))
        const refused = refusedCopy(draft, current, outcome.receipt, outcome.at)
        if (refused) {
          draft.deadLetters.push(refused)
          appendHistory(draft, itemHistory(refused, 'dead-lettered', outcome.at, { reason: refused.reason }))
        }
      } else if (outcome.type === 'retry') {
        draft.outbox[at!] = {
          ...current,
          attempts: current.attempts + 1,
          nextAttemptAt: outcome.nextAttemptAt,
          lastError: errorText(outcome.error),
        }
      } else {
        remove.add(item.id)
        const reason = errorText(outcome.reason)
        appendHistory(draft, itemHistory(current, 'dead-lettered', outcome.at, { reason }))
        draft.deadLetters.push({
          ...current,
          attempts: current.attempts + 1,
          lastError: reason,
          deadAt: outcome.at,
          reason,
        })
      }
    }
  }
  for (const outcome of outcomes) {
    if (outcome.type !== 'sent') continue
    const sent = outcome.items.filter((item) => index.has(item.id))
    recordSlackMessage(draft, sent, outcome.receipt, outcome.at, Boolean(outcome.rollup))
  }
  if (remove.size > 0) draft.outbox = draft.outbox.filter((item) => !remove.has(item.id))
}
