import { z } from 'zod'
import { isRfc3339 } from './rfc3339.js'

const rfc3339Time = z
  .string()
  .refine(
    isRfc3339,
    'expected an RFC 3339 timestamp, e.g. "2026-01-31T12:00:00.000Z" or "2026-01-31T13:00:00+01:00"',
  )

/**
 * A Seam event. Only the fields every event carries are checked; everything else (device_id, battery_level, ...)
 * passes through untouched, so event types Seam adds later still flow.
 */
export const seamEventSchema = z
  .object({
    event_id: z.string().min(1),
    event_type: z.string().min(1),
    created_at: rfc3339Time,
    occurred_at: rfc3339Time,
    workspace_id: z.string().optional(),
    device_id: z.string().optional(),
  })
  .passthrough()

export type SeamEvent = z.infer<typeof seamEventSchema> & Record<string, unknown>

/** Total order used everywhere: (created_at, event_id) ascending. */
export function compareEvents(a: SeamEvent, b: SeamEvent): number {
  const ta = Date.parse(a.created_at)
  const tb = Date.parse(b.created_at)
  if (ta !== tb) return ta - tb
  return a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0
}

export interface RejectedEvent {
  /** The event id when the payload had one. */
  eventId?: string
  /** Where it came from: `api` or `file.jsonl:LINE`. */
  origin: string
  reason: string
}
