import type { OutboxItem, State } from './state-schema.js'

/**
 * Move dead letters back to the outbox (all of them, or those with the given ids) with attempts reset, due
 * at `now`. An id already in the outbox is not queued twice. Used by `state dead-letters --retry` and the
 * daemon's housekeeping (`housekeeping.retryDeadLetters`).
 */
export function requeueDeadLetters(
  draft: State,
  now: number,
  ids?: readonly string[],
): { requeued: string[]; missing: string[] } {
  const wanted = ids && ids.length > 0 ? new Set(ids) : undefined
  const queued = new Set(draft.outbox.map((item) => item.id))
  const requeued: string[] = []
  const keep = []
  for (const dead of draft.deadLetters) {
    if (wanted && !wanted.has(dead.id)) {
      keep.push(dead)
      continue
    }
    const { deadAt: _deadAt, reason: _reason, lastError: _lastError, ...rest } = dead
    const item: OutboxItem = { ...rest, attempts: 0, nextAttemptAt: now }
    if (!queued.has(item.id)) draft.outbox.push(item)
    queued.add(item.id)
    requeued.push(dead.id)
  }
  draft.deadLetters = keep
  const missing = wanted ? [...wanted].filter((id) => !requeued.includes(id)) : []
  return { requeued, missing }
}
