import { jsonPath } from '../errors.js'
import { type RejectedEvent, type SeamEvent, seamEventSchema } from './event.js'
import { DEFAULT_EVENT_LIMITS, type EventLimits, eventLimitProblem } from './event-limits.js'

export type ValidatedEvent = { event: SeamEvent } | { rejected: RejectedEvent }

/** The event id of a payload that may be anything, when it carries a non-empty string one. */
export function eventIdOf(raw: unknown): string | undefined {
  if (raw === null || typeof raw !== 'object') return undefined
  const id = (raw as Record<string, unknown>).event_id
  return typeof id === 'string' && id.length > 0 ? id : undefined
}

/**
 * Check one raw payload: first against `limits` (depth and size, before anything recursive touches it; null skips
 * that check), then against seamEventSchema. Unknown fields and event types pass through untouched; a failure
 * becomes a RejectedEvent naming the id (when present), the origin and every problem found.
 */
export function validateEvent(
  raw: unknown,
  origin: string,
  limits: EventLimits | null = DEFAULT_EVENT_LIMITS,
): ValidatedEvent {
  const tooBig = limits === null ? undefined : eventLimitProblem(raw, limits)
  if (tooBig !== undefined) return { rejected: rejectedEvent(raw, origin, `$: ${tooBig}`) }
  const result = seamEventSchema.safeParse(raw)
  if (result.success) return { event: result.data as SeamEvent }
  const reason = result.error.issues.map((issue) => `${jsonPath(issue.path)}: ${issue.message}`).join('; ')
  return { rejected: rejectedEvent(raw, origin, reason) }
}

function rejectedEvent(raw: unknown, origin: string, reason: string): RejectedEvent {
  const eventId = eventIdOf(raw)
  return eventId ? { eventId, origin, reason } : { origin, reason }
}
