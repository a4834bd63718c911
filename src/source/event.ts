import { z } from 'zod'

const isoTime = z.string().refine((text) => !Number.isNaN(Date.parse(text)), 'expected an ISO 8601 time')

/**
 * A Seam event. Only the fields every event carries are checked; everything else (device_id, battery_level, ...)
 * passes through untouched, so event types Seam adds later still flow.
 */
export const seamEventSchema = z
  .object({
    event_id: z.string().min(1),
    event_type: z.string().min(1),
    created_at: isoTime,
    occurred_at: isoTime,
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
