import { z } from 'zod'
import { duration } from './config-sections.js'
import { formatDuration } from './duration.js'

/** The shortest renewal period: tests run with "200ms"; below ~50ms a loaded database cannot keep up. */
const RENEW_MIN_MS = 50

/**
 * `ha`: the leader lease of replicas sharing a PostgreSQL state (src/daemon/ha/). Ignored with a state file,
 * whose lock makes the one daemon the leader. `leaseTtl` must leave room for at least one failed renewal:
 * a leader whose renewals keep failing stops acting once the TTL (less a safety margin) has passed on its own
 * monotonic clock, and a standby takes over once it has passed on the database's clock.
 */
export const haSchema = z
  .strictObject({
    renewEvery: duration('5s')
      .refine((ms) => ms >= RENEW_MIN_MS, `expected at least "${RENEW_MIN_MS}ms"`)
      .describe(
        'How often the leader renews its lease in PostgreSQL, and how often a standby tries to take it. Failover takes at most leaseTtl + renewEvery after the leader dies.',
      ),
    leaseTtl: duration('15s').describe(
      'How long a lease lasts without renewal: a leader that cannot renew stops polling and sending before it runs out, and a standby takes over once it has. At least twice renewEvery (three times is the usual choice: "5s" and "15s").',
    ),
  })
  .superRefine((ha, ctx) => {
    if (ha.leaseTtl < 2 * ha.renewEvery) {
      ctx.addIssue({
        code: 'custom',
        path: ['leaseTtl'],
        input: formatDuration(ha.leaseTtl),
        message: `expected at least twice ha.renewEvery (${formatDuration(ha.renewEvery)}), so one renewal can fail without losing the lease; e.g. renewEvery "5s" with leaseTtl "15s"`,
      })
    }
  })
  .prefault({})
  .describe(
    'High availability with a PostgreSQL state: replicas elect one leader through a lease row; the others stand by. Ignored with a state file.',
  )

export type HaConfig = z.infer<typeof haSchema>
