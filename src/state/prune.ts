import type { Config } from '../config.js'
import { deleteKeys } from '../frozen.js'
import { pruneNoise } from '../noise/noise-prune.js'
import { incidentKey } from '../rules/decision.js'
import type { State } from './state-schema.js'

export interface PruneOptions {
  now: number
  retention: Config['retention']
}

/** Keep the items no older than `maxAge` and at most the `max` newest, preserving order. */
function bound<T>(items: T[], at: (item: T) => number, cutoff: number, max: number): T[] {
  const young = items.filter((item) => at(item) >= cutoff)
  if (young.length <= max) return young
  const newest = new Set([...young].sort((a, b) => at(b) - at(a)).slice(0, max))
  return young.filter((item) => newest.has(item))
}

/** Incident keys of every open incident, under both group-key spellings the evaluator might use. */
function openIncidentKeys(state: State): Set<string> {
  const keys = new Set<string>()
  for (const [rule, groups] of Object.entries(state.rules.incidents)) {
    for (const groupKey of Object.keys(groups)) keys.add(`${rule}|${groupKey}`)
  }
  return keys
}

/** Incidents an outbox item or dead letter may still need a thread for (a resolve waiting to be sent). */
function pendingIncidentKeys(state: State): Set<string> {
  const keys = new Set<string>()
  for (const item of [...state.outbox, ...state.deadLetters]) {
    keys.add(incidentKey(item.decision.rule, item.decision.group))
  }
  return keys
}

function isOpen(key: string, open: Set<string>): boolean {
  if (open.has(key)) return true
  const bar = key.indexOf('|')
  if (bar < 0) return false
  try {
    const group = JSON.parse(key.slice(bar + 1)) as Record<string, unknown>
    return open.has(`${key.slice(0, bar)}|${JSON.stringify(Object.values(group))}`)
  } catch {
    return false
  }
}

/**
 * Bound what the state keeps (called by the daemon inside an update, e.g. on the housekeeping cron):
 * sent records and dead letters by age and count (`retention.sent`/`sentMax`, `deadLetters`/`deadLettersMax`),
 * device names older than `retention.deviceNames`, and threads of incidents no longer open once older than
 * `retention.sent` (a thread an outbox item still refers to is kept), the alert history (`retention.history`/
 * `historyMax`), Slack messages with buttons like threads, expired silences (`retention.silences`) and the noise stage's stale memory (src/noise/noise-prune.ts). Seen ids are pruned by the source and
 * window entries by the evaluator.
 */
export function pruneState(draft: State, opts: PruneOptions): void {
  const { now, retention } = opts
  draft.sent = bound(draft.sent, (r) => r.sentAt, now - retention.sent, retention.sentMax)
  draft.deadLetters = bound(
    draft.deadLetters,
    (d) => d.deadAt,
    now - retention.deadLetters,
    retention.deadLettersMax,
  )
  // The maps are shared with the last saved state until changed: take a writable copy only when deleting.
  const oldNames = Object.keys(draft.devices).filter(
    (id) => draft.devices[id]!.fetchedAt < now - retention.deviceNames,
  )
  deleteKeys(draft, 'devices', oldNames)
  const open = openIncidentKeys(draft)
  const pending = pendingIncidentKeys(draft)
  const oldThreads = Object.keys(draft.threads).filter((key) => {
    if (isOpen(key, open) || pending.has(key)) return false
    return (draft.threads[key]!.firedAt ?? 0) < now - retention.sent
  })
  deleteKeys(draft, 'threads', oldThreads)
  // Slack messages with buttons: kept while one of their incidents is open or pending, else for retention.sent.
  if (draft.slackMessages) {
    const oldMessages = Object.keys(draft.slackMessages).filter((key) => {
      const record = draft.slackMessages![key]!
      if (record.incidents.some((incident) => isOpen(incident, open) || pending.has(incident))) return false
      return record.sentAt < now - retention.sent
    })
    deleteKeys(draft, 'slackMessages', oldMessages)
  }
  draft.history = bound(draft.history, (e) => e.at, now - retention.history, retention.historyMax)
  pruneNoise(draft, now, retention)
}
