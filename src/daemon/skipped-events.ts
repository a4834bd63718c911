import { errorMessage } from '../errors.js'
import type { Logger } from '../log.js'
import type { RejectedEvent } from '../source/event.js'
import { appendSkipped, type SkippedEvent } from '../state/skipped-events.js'
import type { State } from '../state/state-schema.js'
import type { FailedEvent } from './event-guard.js'
import type { DaemonMetrics } from './metrics.js'

/** Failed events logged one by one per batch; the rest are summed up in one line. */
const LOG_EACH = 10

const failureReason = (failure: FailedEvent) =>
  `${failure.stage === 'evaluate' ? 'evaluating' : 'recording'} it threw: ${errorMessage(failure.error)}`

/**
 * Remember a batch's rejected and failed events in the draft's bounded `skippedEvents` list (shown by
 * `seam-alerts state show`), in the same update that moves the cursor past them.
 */
export function noteSkipped(
  draft: State,
  rejected: readonly RejectedEvent[],
  failed: readonly FailedEvent[],
  now: number,
): void {
  if (rejected.length === 0 && failed.length === 0) return
  const entries: SkippedEvent[] = []
  for (const r of rejected)
    entries.push({
      at: now,
      stage: 'rejected',
      ...(r.eventId === undefined ? {} : { eventId: r.eventId }),
      origin: r.origin,
      reason: r.reason,
    })
  for (const f of failed)
    entries.push({
      at: now,
      stage: 'failed',
      eventId: f.event.event_id,
      eventType: f.event.event_type,
      origin: 'api',
      reason: failureReason(f),
    })
  draft.skippedEvents = appendSkipped(draft.skippedEvents, entries)
}

/** Count (seam_alerts_events_failed_total) and log the events of a batch that were skipped because they threw. */
export function reportFailed(logger: Logger, metrics: DaemonMetrics, failed: readonly FailedEvent[]): void {
  if (failed.length === 0) return
  metrics.eventsFailed.inc(failed.length)
  for (const failure of failed.slice(0, LOG_EACH)) {
    const { event } = failure
    logger.error(
      {
        event_id: event.event_id,
        event_type: event.event_type,
        stage: failure.stage,
        err: errorMessage(failure.error),
      },
      `skipping event ${event.event_id} (${event.event_type}): ${failureReason(failure)}; the rest of the batch goes on (see seam-alerts state show)`,
    )
  }
  if (failed.length > LOG_EACH)
    logger.error(
      { more: failed.length - LOG_EACH },
      `${failed.length - LOG_EACH} more events skipped in this batch`,
    )
}
