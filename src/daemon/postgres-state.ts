import { errorMessage, hasCode, SeamAlertsError } from '../errors.js'
import type { Limits } from '../limits.js'
import type { Logger } from '../log.js'
import { openPostgres, type PgDatabase } from '../state/postgres/database.js'
import { describeLeader, readLease } from '../state/postgres/lease-row.js'
import { PostgresStore, type StoreFence } from '../state/postgres/postgres-store.js'
import { StateHolder } from '../state/state-holder.js'
import type { PostgresConfig } from '../state-config.js'
import type { DaemonState } from './daemon-state.js'
import type { HealthTracker } from './health.js'
import type { DaemonMetrics } from './metrics.js'
import { reportedWrites } from './reported-writes.js'

/** Open the state database from the config: connect (STORE_UNAVAILABLE names host and database) and migrate. */
export function openStateDatabase(
  url: string,
  postgres: PostgresConfig,
  logger: Logger,
): Promise<PgDatabase> {
  return openPostgres(url, {
    schema: postgres.schema,
    connectTimeoutMs: postgres.connectTimeout,
    queryTimeoutMs: postgres.queryTimeout,
    logger,
  })
}

/**
 * The daemon's live state on PostgreSQL: a PostgresStore over `db`, loaded into a StateHolder whose writes are
 * reported to the metrics and /healthz, as for the file.
 *
 * - With `fence` (the leader, once it holds the lease): every write is fenced by the lease epoch. Build it only
 *   AFTER the lease is taken, so the load sees the previous leader's last write.
 * - Without (no lease yet, `run` on a URL): exclusive mode, refused while another replica holds a live lease.
 *
 * A write refused because another process holds or took the state (STATE_FENCED, STATE_LOCKED) rejects
 * `lockLost` with that error, unless `onRefused` is given, which then decides (a lease component steps down to
 * standby). `ownsDatabase`: the state's close ends the pool too (default true).
 */
export async function openPostgresState(opts: {
  db: PgDatabase
  fence?: StoreFence
  limits?: Limits
  logger: Logger
  metrics: DaemonMetrics
  health: HealthTracker
  ownsDatabase?: boolean
  onRefused?: (error: SeamAlertsError) => void
}): Promise<DaemonState & { store: PostgresStore }> {
  const { db, logger, metrics, health } = opts
  const store = new PostgresStore(db, {
    logger,
    ownsDatabase: opts.ownsDatabase ?? true,
    ...(opts.fence ? { fence: opts.fence } : {}),
    lockedHint: 'Another seam-alerts replica leads on this database: this one stops.',
  })
  if (!opts.fence) {
    const lease = await readLease(db).catch(() => null)
    if (lease?.live) {
      if (opts.ownsDatabase ?? true) await db.close()
      throw new SeamAlertsError(
        'STATE_LOCKED',
        `State in PostgreSQL at ${db.target.label}, schema ${db.schema} is in use: a running seam-alerts leads (${describeLeader(lease)}).`,
      )
    }
  }
  let fail: (error: Error) => void = () => {}
  const lockLost = new Promise<never>((_, reject) => {
    fail = reject
  })
  lockLost.catch(() => undefined) // handled by whoever races it
  let state: StateHolder
  try {
    state = await StateHolder.open(
      store,
      reportedWrites({
        logger,
        metrics,
        health,
        onWriteError: (error) => {
          if (!hasCode(error, 'STATE_FENCED') && !hasCode(error, 'STATE_LOCKED')) return
          if (opts.onRefused) opts.onRefused(error as SeamAlertsError)
          else
            fail(
              new SeamAlertsError(
                'STATE_LOCK_LOST',
                `${errorMessage(error)} Exiting so that a supervisor restarts seam-alerts.`,
              ),
            )
        },
      }),
    )
  } catch (error) {
    await store.close().catch(() => undefined)
    throw error
  }
  health.useDurableCursor(() => state.current().source.cursor)
  return { state, store, postgres: db, release: () => state.close().catch(() => store.close()), lockLost }
}
