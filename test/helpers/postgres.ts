/**
 * PostgreSQL in tests (docs/testing.md, "PostgreSQL"). One real server per `vitest` run, started by
 * test/helpers/postgres-global-setup.ts; `describePg` gives each describe block its own fresh database on it, owned
 * by the application role (a password user, not a superuser). This file starts no process, so a test that only
 * uses the shared server stays in the unit tier. A test that needs a server of its own (to restart or crash it)
 * uses `startPostgres` from ./postgres-server.js inside `describeWithPostgres`, and is an e2e test.
 *
 * When PostgreSQL truly cannot be started, these blocks are skipped with a loud message; with `CI` set they fail.
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, inject, it } from 'vitest'
import type { SharedPostgres } from './postgres-global-setup.js'
import type { PgCredentials } from './postgres-server.js'

export type { PgCredentials } from './postgres-server.js'

export interface PgTestDatabase {
  /** The database's name (set before the block's tests run). */
  readonly name: string
  readonly port: number
  /** The application role (`seam_app`, with a password) and the superuser. */
  readonly app: PgCredentials
  readonly admin: PgCredentials
  /** `postgres://seam_app:<password>@127.0.0.1:<port>/<this database>`; other credentials or database when given. */
  url(credentials?: PgCredentials, database?: string): string
  /** Run one statement in this database as the application role. */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    params?: unknown[],
  ): Promise<pg.QueryResult<R>>
  /** One more fresh database on the same server (dropped after the block); returns its name. */
  createDatabase(): Promise<string>
}

const shared = (): SharedPostgres => inject('postgres')

function unavailable(reason: string): string {
  return `PostgreSQL is not available, so this block cannot run: ${reason}`
}

/**
 * A describe block that runs only when PostgreSQL can run here: skipped with a loud message when it cannot, failing
 * instead when `CI` is set. For tests that start their own server with `startPostgres`.
 */
export function describeWithPostgres(name: string, fn: () => void): void {
  const state = shared()
  if (state.ok) {
    describe(name, fn)
    return
  }
  if (process.env.CI) {
    describe(name, () => {
      it('needs PostgreSQL (CI never skips it)', () => {
        throw new Error(unavailable(state.reason))
      })
    })
    return
  }
  process.stderr.write(`\n!!! SKIPPED "${name}": ${unavailable(state.reason)}\n\n`)
  describe.skip(name, fn)
}

const url = (port: number, credentials: PgCredentials, database: string) =>
  `postgres://${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`

async function asAdmin(port: number, admin: PgCredentials, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url(port, admin, 'postgres') })
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

/** A describe block with a fresh database of its own on the run's shared server (`fn` gets its handle). */
export function describePg(name: string, fn: (db: PgTestDatabase) => void): void {
  const state = shared()
  const port = state.ok ? state.port : 0
  const app = state.ok ? state.app : { user: '', password: '' }
  const admin = state.ok ? state.admin : { user: '', password: '' }
  const made: string[] = []
  let dbName = ''
  const createDatabase = async () => {
    const fresh = `t_${randomBytes(6).toString('hex')}`
    await asAdmin(port, admin, `CREATE DATABASE "${fresh}" OWNER "${app.user}"`)
    made.push(fresh)
    return fresh
  }
  const db: PgTestDatabase = {
    get name() {
      return dbName
    },
    port,
    app,
    admin,
    url: (credentials = app, database = dbName) => url(port, credentials, database),
    async query(sql, params) {
      const client = new pg.Client({ connectionString: db.url() })
      await client.connect()
      try {
        return await client.query(sql, params)
      } finally {
        await client.end()
      }
    },
    createDatabase,
  }
  describeWithPostgres(name, () => {
    beforeAll(async () => {
      dbName = await createDatabase()
    })
    afterAll(async () => {
      for (const name of made.splice(0))
        await asAdmin(port, admin, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
    })
    fn(db)
  })
}
