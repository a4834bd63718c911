import { z } from 'zod'
import { durationSchema } from './duration.js'
import { sizeSchema } from './size.js'
import { DEFAULT_EVENT_LIMITS, EVENT_MAX_DEPTH_CEILING } from './source/event-limits.js'

/**
 * `limits`: bounds on what one event may be and do. Events over a bound are rejected like malformed events
 * (logged with their event_id, counted, listed in `seam-alerts state show`); see docs/security-events.md.
 */
export const limitsSchema = z
  .object({
    eventMaxDepth: z
      .number()
      .int()
      .min(1)
      .max(EVENT_MAX_DEPTH_CEILING)
      .default(DEFAULT_EVENT_LIMITS.maxDepth)
      .describe(
        'Deepest nesting of objects and arrays an event may have (the event itself is level 1); deeper events are rejected.',
      ),
    eventMaxBytes: sizeSchema
      .prefault(DEFAULT_EVENT_LIMITS.maxBytes)
      .describe(
        'Largest serialized size of one event: bytes, or a string like "256KB" or "1MB"; larger events are rejected.',
      ),
    occurredAtSkew: durationSchema
      .prefault('5m')
      .describe(
        "How far an event's occurred_at may be ahead of its created_at; beyond it the rules use created_at as the event's time.",
      ),
  })
  .strict()
  .prefault({})
  .describe('Bounds on what one event may be and do.')

export type Limits = z.infer<typeof limitsSchema>
