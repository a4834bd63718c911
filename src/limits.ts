import { z } from 'zod'
import { durationSchema } from './duration.js'
import { sizeSchema } from './size.js'
import { DEFAULT_EVENT_LIMITS, EVENT_MAX_DEPTH_CEILING } from './source/event-limits.js'

/** Largest state file (or `.bak`) read at start or by the `state` commands: 256 MiB. */
export const DEFAULT_STATE_FILE_MAX = 256 * 1024 ** 2

/**
 * The highest `limits.stateFileMax` accepted: 512 MiB. A bigger file cannot be loaded at all (a JavaScript string
 * holds at most ~512 MiB), and parsing one that big takes gigabytes.
 */
export const STATE_FILE_MAX_CEILING = 512 * 1024 ** 2

/**
 * How long the daemon keeps trying to re-take a lost state lock before it exits with EXIT_TEMPFAIL (75) so a
 * supervisor restarts it: 1 minute.
 */
export const DEFAULT_LOCK_LOST_MAX = 60_000

/**
 * The `limits` section of the config: bounds on what the daemon accepts and how long it runs degraded.
 * Each key has a default, so the whole section is optional.
 */
export const limitsSchema = z
  .strictObject({
    stateFileMax: sizeSchema
      .pipe(
        z.number().max(STATE_FILE_MAX_CEILING, 'expected at most "512MB" (a bigger file cannot be loaded)'),
      )
      .prefault('256MB')
      .describe(
        'Largest state file (or its .bak) read at start or by the state commands, e.g. "256MB" (at most "512MB"). A bigger file is refused before it is read.',
      ),
    lockLostMax: durationSchema
      .prefault('1m')
      .describe(
        'How long the daemon keeps trying to take back a lost state lock before it exits with code 75 so a supervisor restarts it.',
      ),
    firstSeenMax: z
      .number()
      .int()
      .min(1)
      .default(100_000)
      .describe(
        'Most tuples a first-seen rule remembers; past it the oldest are evicted (seam_alerts_first_seen_evicted_total).',
      ),
  })
  .extend({
    eventMaxDepth: z
      .number()
      .int()
      .min(1)
      .max(EVENT_MAX_DEPTH_CEILING)
      .default(DEFAULT_EVENT_LIMITS.maxDepth)
      .describe(
        'Deepest nesting of objects and arrays an event may have (the event itself is level 1); deeper events are rejected like malformed ones (logged, counted, listed in `state show`).',
      ),
    eventMaxBytes: sizeSchema
      .prefault('256KB')
      .describe(
        'Largest serialized size of one event: bytes, or a string like "256KB" or "1MB"; larger events are rejected like malformed ones.',
      ),
    occurredAtSkew: durationSchema
      .prefault('5m')
      .describe(
        "How far an event's occurred_at may be ahead of its created_at; beyond it the rules use created_at as the event's time (the event is counted and logged).",
      ),
  })
  .prefault({})
  .describe('Bounds on what seam-alerts accepts and how long it runs degraded. See docs/security.md.')

export type Limits = z.infer<typeof limitsSchema>
