import { z } from 'zod'
import { duration } from './config-sections.js'
import { DEFAULT_PG_SCHEMA, PG_SCHEMA_NAME } from './state/postgres/database.js'
import { isPostgresUrl, pgTarget } from './state/postgres/target.js'

/**
 * The config keys that say where the state lives: `state` (a file path, or a PostgreSQL URL) and the `postgres`
 * section (used only with a URL). Every key has a `.describe()` (`npm run schema`).
 */

/** A `postgres://` URL that parses, with a host; anything else is a file path. */
const validUrl = (value: string): boolean => {
  if (!isPostgresUrl(value)) return true
  try {
    return pgTarget(value).host !== ''
  } catch {
    return false
  }
}

export const stateSchema = z
  .string()
  .min(1)
  .refine(validUrl, 'expected a PostgreSQL URL like postgres://user:password@host:5432/database')
  .default('./state.json')
  .describe(
    'Where the state (cursor, incidents, outbox, dead letters, silences, history) lives: a file, relative to the config file, or a PostgreSQL database, "postgres://user:${PGPASSWORD}@host:5432/db" (or postgresql://). The URL\'s password is a secret: never logged or stored.',
  )

export const postgresSchema = z
  .strictObject({
    schema: z
      .string()
      .regex(PG_SCHEMA_NAME, 'expected a plain lower-case SQL identifier (a-z, 0-9 and _, at most 63)')
      .default(DEFAULT_PG_SCHEMA)
      .describe(
        'The PostgreSQL schema seam-alerts keeps its tables in (created when missing). Replicas that share a state use the same schema.',
      ),
    connectTimeout: duration('10s').describe('Longest wait for a new connection to PostgreSQL.'),
    queryTimeout: duration('30s').describe(
      'Longest wait for one PostgreSQL statement (a write, a read, a lease renewal) before it counts as failed.',
    ),
  })
  .prefault({})
  .describe('The PostgreSQL state store, when "state" is a postgres:// URL (ignored for a state file).')

export type PostgresConfig = z.infer<typeof postgresSchema>
