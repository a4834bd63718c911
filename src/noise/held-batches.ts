import { MAX_ROLLUP } from '../notify/rollup.js'
import type { Decision } from '../rules/decision.js'
import { inTimeInterval } from '../rules/time-interval.js'
import { timeIntervalEnd } from '../rules/time-interval-end.js'
import type { State } from '../state/state-schema.js'
import type { NamedIntervals } from './hold.js'
import { type HeldBatch, type Hold, heldBatchKey } from './noise-state.js'
import { silenceStatus } from './silence.js'

/**
 * Keep a held alert for the summary sent when its silence or mute time ends: per silence (or time interval),
 * rule and target, the count and at most MAX_ROLLUP event ids (the limit of a storm rollup). Nothing is kept for
 * an inhibited alert, for a silence with `noSummary`, or for a silence that has already ended (a held fire's late
 * resolve: it is in the history and counted, and the summary has gone).
 */
export function holdForSummary(
  draft: State,
  decision: Decision,
  hold: Hold,
  where: { target: string; actionIndex: number; intervals: NamedIntervals | undefined },
): void {
  let batch: Pick<HeldBatch, 'source' | 'id' | 'comment' | 'by' | 'until'>
  if (hold.silenceId) {
    const silence = draft.silences.find((s) => s.id === hold.silenceId)
    if (!silence || silence.noSummary || silenceStatus(silence, hold.at) !== 'active') return
    batch = { source: 'silence', id: silence.id, comment: silence.comment, by: silence.createdBy }
  } else if (hold.muteTime) {
    const specs = where.intervals?.[hold.muteTime]
    const until = specs ? timeIntervalEnd(specs, hold.at) : undefined
    batch =
      until === undefined
        ? { source: 'mute', id: hold.muteTime }
        : { source: 'mute', id: hold.muteTime, until }
  } else return
  const key = heldBatchKey({ ...batch, rule: decision.rule, target: where.target })
  const stored = draft.noise.held[key]
  const eventIds = stored ? [...stored.eventIds] : []
  if (eventIds.length < MAX_ROLLUP) eventIds.push(decision.event_id)
  draft.noise.held[key] = {
    ...batch,
    ...(stored?.until !== undefined && batch.until === undefined ? { until: stored.until } : {}),
    rule: decision.rule,
    target: where.target,
    actionIndex: where.actionIndex,
    count: (stored?.count ?? 0) + 1,
    eventIds,
    firstAt: stored?.firstAt ?? hold.at,
    lastAt: hold.at,
  }
}

/**
 * Has the batch's silence or mute time ended at `now`? A silence ends at its `endsAt` (or when expired early, or
 * when it is gone from the state); a mute time when the wall clock has left the interval (or it was removed from
 * the config), which `until` (timeIntervalEnd at hold time) lets the caller check without recomputing.
 */
export function batchEnded(
  draft: State,
  batch: HeldBatch,
  intervals: NamedIntervals | undefined,
  now: number,
): boolean {
  if (batch.source === 'silence') {
    const silence = draft.silences.find((s) => s.id === batch.id)
    return !silence || silenceStatus(silence, now) === 'expired'
  }
  if (batch.until !== undefined && now >= batch.until) return true
  const specs = intervals?.[batch.id]
  return !specs || !inTimeInterval(specs, now)
}
