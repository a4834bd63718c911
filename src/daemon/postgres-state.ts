import { hasCode, type SeamAlertsError } from '../errors.js'
import type { Logger } from '../log.js'
import type { PgDatabase } from '../state/postgres/database.js'
import { PostgresStore, type StoreFence } from '../state/postgres/postgres-store.js'
import { StateHolder } from '../state/state-holder.js'
import type { HealthTracker } from './health.js'
import type { DaemonMetrics } from './metrics.js'
import { reportedWrites } from './reported-writes.js'

/**
 * The leader's live state on PostgreSQL: a PostgresStore over `db`, loaded into a StateHolder whose writes are
 * reported to the metrics and /healthz, as for the file. Every write is fenced by the lease epoch: build it only
 * AFTER the lease is taken, so the load sees the previous leader's last write. A write refused because another
 * replica took the state (STATE_FENCED) goes to `onRefused` (the lease steps down).
 * `ownsDatabase`: the state's close ends the pool too.
 */
export async function openPostgresState(opts: {
  db: PgDatabase
  fence: StoreFence
  logger: Logger
  metrics: DaemonMetrics
  health: HealthTracker
  ownsDatabase: boolean
  onRefused: (error: SeamAlertsError) => void
}): Promise<StateHolder> {
  const { db, logger, metrics, health } = opts
  const store = new PostgresStore(db, {
    logger,
    ownsDatabase: opts.ownsDatabase,
    fence: opts.fence,
  })
  let state: StateHolder
  try {
    state = await StateHolder.open(
      store,
      reportedWrites({
        logger,
        metrics,
        health,
        onWriteError: (error) => {
          if (hasCode(error, 'STATE_FENCED')) opts.onRefused(error)
        },
      }),
    )
  } catch (error) {
    await store.close().catch(() => undefined)
    throw error
  }
  health.useDurableCursor(() => state.current().source.cursor)
  return state
}
