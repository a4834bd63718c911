import pg from 'pg'
import { SeamAlertsError } from '../../errors.js'
import type { Logger } from '../../log.js'
import { silentLogger } from '../../log.js'
import { runMigrations } from './migrations.js'
import { isConnectionError, type PgTarget, pgTarget, storeUnavailable, withoutPassword } from './target.js'

/** The default `postgres.schema`. */
export const DEFAULT_PG_SCHEMA = 'seam_alerts'
/** A schema name seam-alerts accepts: a plain lower-case SQL identifier, never quoted-only or reserved-looking. */
export const PG_SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/

/** A transaction's client: run statements inside `db.transaction(...)`. */
export type PgClient = pg.PoolClient

/**
 * One PostgreSQL database holding seam-alerts' state (and its leader lease): a connection pool, the schema every
 * table lives in (also the pool's search_path, so unqualified `lease` and `state` name ours), and the target it
 * points at for messages.
 */
export interface PgDatabase {
  readonly pool: pg.Pool
  /** The schema (validated identifier, see PG_SCHEMA_NAME). */
  readonly schema: string
  /** Where it points (host, port, database, user; never the password). */
  readonly target: PgTarget
  /** A table of the schema, qualified and quoted: `"seam_alerts"."state"`. */
  table(name: 'lease' | 'state' | 'schema_migrations'): string
  /** One statement on any pooled connection. A connection failure throws STORE_UNAVAILABLE. */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    params?: unknown[],
  ): Promise<pg.QueryResult<R>>
  /**
   * `fn` inside BEGIN ... COMMIT on one connection (ROLLBACK when it throws, and the error propagates). A
   * failure to get a connection throws STORE_UNAVAILABLE; errors from `fn` propagate as they are.
   */
  transaction<T>(fn: (client: PgClient) => Promise<T>): Promise<T>
  /** End the pool (idempotent). Whoever opened the database closes it. */
  close(): Promise<void>
}

export interface OpenPostgresOptions {
  /** `postgres.schema` (default seam_alerts). */
  schema?: string
  logger?: Logger
  /** `postgres.connectTimeout` in ms: longest wait for a new connection (default 10 s). */
  connectTimeoutMs?: number
  /** `postgres.queryTimeout` in ms: longest wait for one statement's answer, client side (default 30 s). */
  queryTimeoutMs?: number
  /** Most connections this process opens (default 4: the daemon's writes, the lease, the API's reads). */
  maxConnections?: number
  /** Run the migrations (default true; the CLI's read-only commands pass false). */
  migrate?: boolean
  /** application_name shown in pg_stat_activity (default "seam-alerts"). */
  applicationName?: string
  /**
   * Server-side limits of each session (ms; unset: the server's): `lockTimeoutMs` ends a statement waiting that
   * long for a lock, `idleInTransactionTimeoutMs` ends a session whose client left a transaction open that long
   * (a replica frozen mid-write must not hold the lease row's lock past its lease: src/daemon/ha/backend.ts).
   */
  lockTimeoutMs?: number
  idleInTransactionTimeoutMs?: number
}

/**
 * Open the state database: a pg.Pool, one connection tried at once (so a wrong host or password fails here,
 * STORE_UNAVAILABLE naming host, port and database), then the schema migrations (migrations.ts), serialised
 * across replicas. Never CREATE EXTENSION. The caller owns the result and closes it.
 */
export async function openPostgres(url: string, opts: OpenPostgresOptions = {}): Promise<PgDatabase> {
  const schema = opts.schema ?? DEFAULT_PG_SCHEMA
  if (!PG_SCHEMA_NAME.test(schema))
    throw new SeamAlertsError(
      'CONFIG_INVALID',
      `postgres.schema ${JSON.stringify(schema)} is not a plain lower-case SQL identifier (a-z, 0-9, _)`,
    )
  const target = pgTarget(url)
  const logger = opts.logger ?? silentLogger
  const pool = new pg.Pool({
    connectionString: url.trim(),
    max: opts.maxConnections ?? 4,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000,
    query_timeout: opts.queryTimeoutMs ?? 30_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    application_name: opts.applicationName ?? 'seam-alerts',
    options: `-c search_path=${schema}`,
    ...(opts.lockTimeoutMs ? { lock_timeout: opts.lockTimeoutMs } : {}),
    ...(opts.idleInTransactionTimeoutMs
      ? { idle_in_transaction_session_timeout: opts.idleInTransactionTimeoutMs }
      : {}),
  })
  // An idle pooled connection that dies (server restart) emits 'error' on the pool: logged, never a crash.
  pool.on('error', (error) =>
    logger.warn(
      { store: target.label, err: withoutPassword(target, error.message) },
      'a pooled PostgreSQL connection failed; it is replaced on next use',
    ),
  )
  const db = database(pool, schema, target, logger)
  try {
    try {
      ;(await pool.connect()).release()
    } catch (error) {
      throw storeUnavailable(target, error)
    }
    if (opts.migrate !== false) await runMigrations(db, logger)
  } catch (error) {
    await db.close()
    throw error
  }
  return db
}

function database(pool: pg.Pool, schema: string, target: PgTarget, logger: Logger): PgDatabase {
  let closing: Promise<void> | undefined
  // A checked-out connection that dies (server crash) emits 'error' on the client, which the pool no longer
  // listens to while it is out: without a listener that is an uncaught exception. The transaction's own statement
  // fails with the same error, and that is what the caller handles.
  const onCheckedOutError = (error: Error) =>
    logger.warn(
      { store: target.label, err: withoutPassword(target, error.message) },
      'a PostgreSQL connection failed during a transaction',
    )
  const connect = async (): Promise<pg.PoolClient> => {
    try {
      return await pool.connect()
    } catch (error) {
      throw storeUnavailable(target, error)
    }
  }
  return {
    pool,
    schema,
    target,
    table: (name) => `"${schema}"."${name}"`,
    async query(sql, params) {
      try {
        return await pool.query(sql, params)
      } catch (error) {
        if (isConnectionError(error)) throw storeUnavailable(target, error, 'querying')
        throw error
      }
    },
    async transaction(fn) {
      const client = await connect()
      // A checked-out connection the server ends (idle-in-transaction timeout after a freeze, a restart) emits
      // 'error'; the statement in flight or the next one fails with it. The connection is then not reused.
      let broken: unknown
      const onError = (error: Error) => {
        broken = error
        onCheckedOutError(error)
      }
      client.on('error', onError)
      try {
        await client.query('BEGIN')
        const result = await fn(client)
        await client.query('COMMIT')
        return result
      } catch (error) {
        await client.query('ROLLBACK').catch((rollback: unknown) => {
          broken = rollback
        })
        throw error
      } finally {
        // A connection whose ROLLBACK failed is in an unknown state: destroyed, not returned to the pool.
        client.off('error', onError)
        client.release(broken instanceof Error ? broken : undefined)
      }
    },
    close() {
      closing ??= pool.end().catch(() => undefined)
      return closing
    },
  }
}
