import type { OutboxItem, State } from '../state/state-schema.js'
import type { HistoryEntry } from './history.js'

/** Longest dead-letter reason kept in a history entry. */
const REASON_MAX = 500

/** Append one outcome to the draft's history (the caller's update writes it with the change it describes). */
export function appendHistory(draft: State, entry: HistoryEntry): void {
  draft.history.push(entry)
}

/** The history entry of an outbox item's delivery outcome (sent, rolled up, dead-lettered). */
export function itemHistory(
  item: OutboxItem,
  outcome: 'sent' | 'rolled-up' | 'dead-lettered',
  at: number,
  extra: { ref?: string; reason?: string } = {},
): HistoryEntry {
  const { rule, kind, event_id } = item.decision
  const entry: HistoryEntry = {
    at,
    rule,
    kind,
    event_id,
    labels: item.labels ?? { rule, kind },
    outcome,
    target: item.target,
    item: item.id,
  }
  if (extra.ref) entry.ref = extra.ref
  if (extra.reason) entry.reason = extra.reason.slice(0, REASON_MAX)
  return entry
}
