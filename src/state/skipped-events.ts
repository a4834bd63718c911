import { z } from 'zod'

/** How many skipped events the state remembers (the most recent; the metrics count them all). */
export const SKIPPED_EVENTS_MAX = 100
/** Longest event id and reason kept per entry (an id may be as long as the event size limit allows). */
const ID_MAX = 200
const REASON_MAX = 1000

/**
 * An event the daemon read but did not process: `rejected` when it failed validation or was over a limit,
 * `failed` when evaluating or recording it threw (its effects were undone). Either way the cursor moved past it.
 */
export const skippedEventSchema = z.object({
  at: z.number(),
  stage: z.enum(['rejected', 'failed']),
  eventId: z.string().optional(),
  eventType: z.string().optional(),
  /** Where it came from: `api`, or `file.jsonl:LINE`. */
  origin: z.string(),
  reason: z.string(),
})

export type SkippedEvent = z.infer<typeof skippedEventSchema>

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text)

/** One entry, its texts bounded. */
export function skippedEvent(entry: SkippedEvent): SkippedEvent {
  const out: SkippedEvent = {
    at: entry.at,
    stage: entry.stage,
    origin: clip(entry.origin, REASON_MAX),
    reason: clip(entry.reason, REASON_MAX),
  }
  if (entry.eventId !== undefined) out.eventId = clip(entry.eventId, ID_MAX)
  if (entry.eventType !== undefined) out.eventType = clip(entry.eventType, ID_MAX)
  return out
}

/**
 * The list with `added` appended, keeping the most recent SKIPPED_EVENTS_MAX. A new list: the stored one is a
 * record shared with the last saved state (frozen), never changed in place.
 */
export function appendSkipped(
  list: readonly SkippedEvent[] = [],
  added: readonly SkippedEvent[],
): SkippedEvent[] {
  const all = [...list, ...added.map(skippedEvent)]
  return all.length > SKIPPED_EVENTS_MAX ? all.slice(all.length - SKIPPED_EVENTS_MAX) : all
}
