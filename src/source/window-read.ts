import type { Logger } from '../log.js'
import type { RejectedEvent, SeamEvent } from './event.js'
import type { EventLimits } from './event-limits.js'
import { validateEvent } from './validate-event.js'

/** What one fetch has read of its window [lower, upper) so far. */
export interface WindowRead {
  events: Map<string, SeamEvent>
  rejected: RejectedEvent[]
  rejectedIds: Map<string, number>
  /** Oldest created_at read (ms); the window's upper end when empty. */
  oldest: number
  complete: boolean
  /** Events of the current page created outside [lower, upper). */
  dropped: number
}

export function emptyWindowRead(upper: number): WindowRead {
  return {
    events: new Map(),
    rejected: [],
    rejectedIds: new Map(),
    oldest: upper,
    complete: true,
    dropped: 0,
  }
}

export interface AcceptContext {
  lower: number
  upper: number
  limits: EventLimits
  stats: { rejected: number }
  logger: Logger
}

/**
 * Validate one event and keep it in `read` only if created in [lower, upper): the API's time filter is not trusted.
 * A malformed event is logged, counted and remembered by id (so the lookback re-read does not log it again).
 */
export function acceptEvent(raw: unknown, read: WindowRead, ctx: AcceptContext): void {
  const checked = validateEvent(raw, 'api', ctx.limits)
  if ('event' in checked) {
    const t = Date.parse(checked.event.created_at)
    if (!(t >= ctx.lower && t < ctx.upper)) {
      read.dropped += 1
      return
    }
    read.events.set(checked.event.event_id, checked.event)
    if (t < read.oldest) read.oldest = t
    return
  }
  const { rejected } = checked
  ctx.stats.rejected += 1
  read.rejected.push(rejected)
  ctx.logger.warn({ eventId: rejected.eventId, reason: rejected.reason }, 'skipping malformed Seam event')
  if (rejected.eventId !== undefined) {
    const created = Date.parse(String((raw as Record<string, unknown>).created_at))
    read.rejectedIds.set(rejected.eventId, Number.isNaN(created) ? ctx.upper - 1 : created)
  }
}
