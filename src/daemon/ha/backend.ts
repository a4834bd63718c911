import type { Config } from '../../config.js'
import type { Logger } from '../../log.js'
import { openPostgres, type PgDatabase } from '../../state/postgres/database.js'
import type { StateHolder } from '../../state/state-holder.js'
import type { HealthTracker } from '../health.js'
import type { DaemonMetrics } from '../metrics.js'
import { openPostgresState } from '../postgres-state.js'
import type { LeaderGuard } from './guard.js'
import type { LeaseSql } from './lease.js'

/** What a replica needs of its PostgreSQL database. */
export interface HaBackend {
  /** `host:port/database` for messages: never the password. */
  target: string
  schema: string
  /** Lease statements, on a connection of their own (a slow state write never delays a renewal). */
  leaseDb: LeaseSql
  /** The state of one leader term, loaded fresh, its writes fenced by (holder, epoch) and by `guard`. */
  openState(term: { holder: string; epoch: number; guard: LeaderGuard }): Promise<StateHolder>
  close(): Promise<void>
}

/**
 * Open the replica's database: the state pool (connect and migrate; STORE_UNAVAILABLE names host and database,
 * never the password), and a one-connection pool for the lease whose statements time out within a renewal
 * period, so a hung renewal never outlives the lease unnoticed and never waits behind a state write.
 *
 * A leader frozen (SIGSTOP, a VM pause) in the middle of a state write holds the lease row `FOR SHARE` in an open
 * transaction, which would keep every standby from taking the row. The server ends such a session after half a
 * lease TTL idle in its transaction (at least 500ms): with leaseTtl >= 2 x renewEvery, before the frozen leader's
 * lease has run out, so the takeover is not delayed. The write is lost and the leader, once resumed, finds its
 * lease gone; nothing it did is half-committed.
 */
export async function openHaBackend(opts: {
  config: Config
  logger: Logger
  metrics: DaemonMetrics
  health: HealthTracker
}): Promise<HaBackend> {
  const { config, logger, metrics, health } = opts
  const db = await openPostgres(config.state, {
    schema: config.postgres.schema,
    connectTimeoutMs: config.postgres.connectTimeout,
    queryTimeoutMs: config.postgres.queryTimeout,
    idleInTransactionTimeoutMs: Math.max(500, Math.floor(config.ha.leaseTtl / 2)),
    logger,
  })
  let leaseDb: PgDatabase
  try {
    const timeoutMs = Math.max(1_000, config.ha.renewEvery)
    leaseDb = await openPostgres(config.state, {
      schema: db.schema,
      logger,
      migrate: false,
      maxConnections: 1,
      connectTimeoutMs: Math.min(config.postgres.connectTimeout, timeoutMs),
      queryTimeoutMs: Math.min(config.postgres.queryTimeout, timeoutMs),
      // A takeover blocked by a row lock gives up and tries again on the next round instead of queueing.
      lockTimeoutMs: timeoutMs,
      applicationName: 'seam-alerts lease',
    })
  } catch (error) {
    await db.close()
    throw error
  }
  return {
    target: db.target.label,
    schema: db.schema,
    leaseDb: { query: (text, values) => leaseDb.query(text, values) as never },
    openState: async ({ holder, epoch, guard }) => {
      return openPostgresState({
        db,
        // Checked in each write's transaction, under FOR SHARE on the lease row; undefined (refused) as soon as
        // the lease is no longer valid on this process's monotonic clock.
        fence: { holder, epoch: () => (guard.mayAct() ? epoch : undefined) },
        ownsDatabase: false,
        logger,
        metrics,
        health,
        onRefused: (error) => guard.resign(`a state write was refused: ${error.message}`),
      })
    },
    close: async () => {
      await leaseDb.close()
      await db.close()
    },
  }
}
