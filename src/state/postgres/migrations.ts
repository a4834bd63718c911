import { SeamAlertsError } from '../../errors.js'
import type { Logger } from '../../log.js'
import type { PgClient, PgDatabase } from './database.js'

/** One schema change, applied once per database, in order, inside the migrations' transaction. */
export interface PgMigration {
  version: number
  name: string
  /** The statements, given the quoted schema name (`"seam_alerts"`). Unqualified names are not relied on. */
  sql(schema: string): string
}

/**
 * Every migration, oldest first; never edit one that has shipped, add the next. Version 1: the migrations table,
 * the one-row leader lease (`holder`, fencing `epoch`, `expires_at`, the leader's `api_url`) and the one-row state
 * document (the whole State as JSONB, its write `version` and the lease `epoch` it was written under). Version 2:
 * the previous generation of the document (`state restore`).
 */
export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    name: 'lease and state',
    sql: (s) => `
      CREATE TABLE ${s}.lease (
        id smallint PRIMARY KEY CHECK (id = 1),
        holder text,
        epoch bigint NOT NULL DEFAULT 0,
        expires_at timestamptz,
        api_url text
      );
      INSERT INTO ${s}.lease (id) VALUES (1) ON CONFLICT (id) DO NOTHING;
      CREATE TABLE ${s}.state (
        id smallint PRIMARY KEY CHECK (id = 1),
        doc jsonb NOT NULL,
        version bigint NOT NULL,
        epoch bigint NOT NULL,
        updated_at timestamptz NOT NULL
      );`,
  },
  {
    // The `.bak` of the file store: every write keeps the document it replaces, for `state restore`.
    version: 2,
    name: 'previous generation',
    sql: (s) => `
      ALTER TABLE ${s}.state
        ADD COLUMN previous_doc jsonb,
        ADD COLUMN previous_updated_at timestamptz;`,
  },
]

/** Two-int advisory lock key: a constant for seam-alerts, and the schema name's hash (one lock per schema). */
const LOCK_CLASS = 0x5ea3

/**
 * Bring the database's schema to the latest migration: in ONE transaction, under a transaction-scoped advisory
 * lock (so replicas starting together take turns, and the second finds the work done), create the schema and the
 * migrations table if missing, then apply each migration not recorded yet. A database migrated by a newer
 * seam-alerts is refused (STATE_CORRUPT, like a newer state file). Returns the versions applied now.
 */
export async function runMigrations(
  db: PgDatabase,
  logger: Logger,
  migrations: readonly PgMigration[] = PG_MIGRATIONS,
): Promise<number[]> {
  const schema = `"${db.schema}"`
  const applied = await db.transaction(async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_CLASS, db.schema])
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`)
    await client.query(`CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (
      version int PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`)
    const done = await appliedVersions(client, schema)
    const latest = migrations.at(-1)?.version ?? 0
    const newest = Math.max(0, ...done)
    if (newest > latest) {
      throw new SeamAlertsError(
        'STATE_CORRUPT',
        `PostgreSQL state store at ${db.target.label}: schema ${db.schema} was migrated by a newer seam-alerts (schema version ${newest}; this seam-alerts knows up to ${latest}). Upgrade seam-alerts to use it.`,
      )
    }
    const now: number[] = []
    for (const migration of migrations) {
      if (done.has(migration.version)) continue
      await client.query(migration.sql(schema))
      await client.query(`INSERT INTO ${schema}.schema_migrations (version, name) VALUES ($1, $2)`, [
        migration.version,
        migration.name,
      ])
      now.push(migration.version)
    }
    return now
  })
  if (applied.length > 0)
    logger.info(
      { store: db.target.label, schema: db.schema, migrations: applied },
      'migrated the PostgreSQL state store',
    )
  return applied
}

async function appliedVersions(client: PgClient, schema: string): Promise<Set<number>> {
  const rows = await client.query<{ version: number }>(`SELECT version FROM ${schema}.schema_migrations`)
  return new Set(rows.rows.map((row) => Number(row.version)))
}
