import type { Clock } from '../clock.js'
import { formatDuration } from '../duration.js'
import type { Logger } from '../log.js'
import type { ClampedEventHandler } from '../rules/rule-time.js'
import type { DaemonMetrics } from './metrics.js'

/** How often a clamped event is logged again (the ones in between are counted). */
export const CLAMPED_LOG_EVERY_MS = 10 * 60_000

/**
 * Events whose occurred_at is more than `limits.occurredAtSkew` ahead of created_at (a device clock in the future):
 * the rules use created_at instead (rules/rule-time.ts). Each is counted (`seam_alerts_events_time_clamped_total`)
 * and logged at most once every ten minutes, naming the event, both times, and how many more since the last line.
 */
export function clampedEventReporter(opts: {
  logger: Logger
  clock: Clock
  metrics: DaemonMetrics
  skewMs: number
  everyMs?: number
}): ClampedEventHandler {
  const every = opts.everyMs ?? CLAMPED_LOG_EVERY_MS
  let loggedAt = Number.NEGATIVE_INFINITY
  let since = 0
  return (event, occurredAt, createdAt) => {
    opts.metrics.eventsClamped.inc()
    const now = opts.clock.now()
    if (now - loggedAt < every) {
      since++
      return
    }
    const more = since > 0 ? ` (${since} more since the last report)` : ''
    opts.logger.warn(
      {
        event_id: event.event_id,
        event_type: event.event_type,
        occurred_at: event.occurred_at,
        created_at: event.created_at,
      },
      `event ${event.event_id} (${event.event_type}) has occurred_at ${formatDuration(occurredAt - createdAt)} after ` +
        `its created_at, more than limits.occurredAtSkew (${formatDuration(opts.skewMs)}): the rules use its ` +
        `created_at as its time${more}`,
    )
    loggedAt = now
    since = 0
  }
}
