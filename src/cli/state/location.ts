import path from 'node:path'
import type { Config } from '../../config.js'
import { expandEnv } from '../../env-expand.js'
import type { InputIssue, SeamAlertsError } from '../../errors.js'
import { DEFAULT_STATE_FILE_MAX } from '../../limits.js'
import { JsonFileStore } from '../../state/json-file-store.js'
import { canonicalStatePath } from '../../state/lock.js'
import { openPostgres, type PgDatabase } from '../../state/postgres/database.js'
import { type LeaseRow, readLease } from '../../state/postgres/lease-row.js'
import { PostgresStore } from '../../state/postgres/postgres-store.js'
import { isPostgresUrl, type PgTarget, pgTarget } from '../../state/postgres/target.js'
import { readStateFile } from '../../state/state-file.js'
import type { State } from '../../state/state-schema.js'
import type { Store } from '../../state/store.js'
import { type PostgresConfig, postgresSchema } from '../../state-config.js'

/**
 * Where the CLI's state commands find the state: a file (symlinks resolved, as the daemon locks it) or a
 * PostgreSQL database (the URL, with the `postgres` config section). `label` is what messages show: the file, or
 * the URL without its password and the schema.
 */
export type StateLocation =
  | { kind: 'file'; file: string; maxBytes: number; label: string }
  | {
      kind: 'postgres'
      url: string
      postgres: PostgresConfig
      target: PgTarget
      maxBytes: number
      label: string
    }

/** The location a `state` setting names (`file` already resolved against the config's directory). */
export async function locate(
  state: string,
  opts: { postgres?: PostgresConfig; maxBytes?: number } = {},
): Promise<StateLocation> {
  const maxBytes = opts.maxBytes ?? DEFAULT_STATE_FILE_MAX
  if (isPostgresUrl(state)) {
    const postgres = opts.postgres ?? postgresSchema.parse({})
    const target = pgTarget(state)
    const label = `${target.redacted} (schema ${postgres.schema})`
    return { kind: 'postgres', url: state, postgres, target, maxBytes, label }
  }
  const file = await canonicalStatePath(state)
  return { kind: 'file', file, maxBytes, label: file }
}

/** The location a loaded config names. */
export const locateFromConfig = (config: Config): Promise<StateLocation> =>
  locate(config.state, { postgres: config.postgres, maxBytes: config.limits.stateFileMax })

/**
 * A config's `state` as written, its `${VAR}`s expanded, when the config as a whole cannot be loaded because some
 * other `${VAR}` is unset (the CLI may run without the daemon's environment). Throws `error` when the state setting
 * itself needs an unset variable (a database password): guessing a file instead would read the wrong state.
 */
export function rawStateSetting(
  raw: { state?: unknown },
  configFile: string,
  env: NodeJS.ProcessEnv,
  error: SeamAlertsError,
): string {
  if (typeof raw.state !== 'string') return path.resolve(path.dirname(configFile), './state.json')
  const issues: InputIssue[] = []
  const state = expandEnv(raw.state, env, configFile, issues, ['state']) as string
  if (issues.length > 0) throw error
  return isPostgresUrl(state) ? state : path.resolve(path.dirname(configFile), state)
}

/** The `postgres` section as written, or the defaults (for the fallback above). */
export function rawPostgresSection(raw: { postgres?: unknown }): PostgresConfig {
  const parsed = postgresSchema.safeParse(raw.postgres)
  return parsed.success ? parsed.data : postgresSchema.parse({})
}

/** Open the database of a location (migrating it when `migrate`; the CLI's reads do not). */
function openDatabase(location: Extract<StateLocation, { kind: 'postgres' }>, migrate: boolean) {
  return openPostgres(location.url, {
    schema: location.postgres.schema,
    connectTimeoutMs: location.postgres.connectTimeout,
    queryTimeoutMs: location.postgres.queryTimeout,
    maxConnections: 2,
    migrate,
    applicationName: 'seam-alerts cli',
  })
}

/** Run `fn` on the location's database, closed after. */
export async function withDatabase<T>(
  location: Extract<StateLocation, { kind: 'postgres' }>,
  migrate: boolean,
  fn: (db: PgDatabase) => Promise<T>,
): Promise<T> {
  const db = await openDatabase(location, migrate)
  try {
    return await fn(db)
  } finally {
    await db.close()
  }
}

/** PostgreSQL "undefined table" / "undefined schema": nothing was ever written there. */
const isMissingTable = (error: unknown) => {
  const code = (error as { code?: unknown } | undefined)?.code
  if (code === '42P01' || code === '3F000') return true
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code
  return cause === '42P01' || cause === '3F000'
}

/** What the database holds: the state (null: none yet), its row version and size, and the lease. */
export interface DatabaseSnapshot {
  state: State | null
  version: number | null
  bytes: number | null
  lease: LeaseRow | null
}

/** Read a database's state and lease without changing anything (no migration: a fresh database reads as empty). */
export async function snapshotDatabase(
  location: Extract<StateLocation, { kind: 'postgres' }>,
): Promise<DatabaseSnapshot> {
  return withDatabase(location, false, async (db) => {
    try {
      const store = new PostgresStore(db)
      const state = await store.load()
      const size = await db.query<{ bytes: string | null }>(
        `SELECT pg_column_size(doc)::text AS bytes FROM ${db.table('state')} WHERE id = 1`,
      )
      const bytes = size.rows[0]?.bytes
      return {
        state,
        version: store.version ?? null,
        bytes: bytes == null ? null : Number(bytes),
        lease: await readLease(db),
      }
    } catch (error) {
      if (isMissingTable(error)) return { state: null, version: null, bytes: null, lease: null }
      throw error
    }
  })
}

/** The saved state at a location, or null when there is none yet. */
export async function readLocation(location: StateLocation): Promise<State | null> {
  if (location.kind === 'file') return readStateFile(location.file, undefined, undefined, location.maxBytes)
  return (await snapshotDatabase(location)).state
}

/** The live leader of a database, if one holds the lease now (null for a file, or when none does). */
export async function liveLeader(location: StateLocation): Promise<LeaseRow | null> {
  if (location.kind === 'file') return null
  const { lease } = await snapshotDatabase(location)
  return lease?.live ? lease : null
}

/**
 * Open the location's store for one exclusive change: the file's lock (STATE_LOCKED while a daemon runs), or the
 * database in exclusive mode (migrated first; every save refused with STATE_LOCKED while a live leader holds the
 * lease, and when another process wrote since the load). `fn` gets the store; it is closed after.
 */
export async function withExclusiveStore<T>(
  location: StateLocation,
  lockedHint: string,
  fn: (store: Store) => Promise<T>,
): Promise<T> {
  if (location.kind === 'file') {
    const store = await JsonFileStore.open(location.file, { lockedHint, maxBytes: location.maxBytes })
    try {
      return await fn(store)
    } finally {
      await store.close()
    }
  }
  return withDatabase(location, true, (db) => fn(new PostgresStore(db, { lockedHint })))
}
