import { expect, it } from 'vitest'
import { hasCode } from '../../../src/errors.js'
import { silentLogger } from '../../../src/log.js'
import { openPostgres } from '../../../src/state/postgres/database.js'
import { PG_MIGRATIONS, runMigrations } from '../../../src/state/postgres/migrations.js'
import { describePg } from '../../helpers/postgres.js'

const caught = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error as Error,
  )

describePg('PostgreSQL state store migrations', (pgdb) => {
  it('from an empty database: the schema, its tables and the one lease row, then nothing on a re-run', async () => {
    const db = await openPostgres(pgdb.url())
    try {
      const tables = await db.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'seam_alerts' ORDER BY 1`,
      )
      expect(tables.rows.map((row) => row.table_name)).toEqual(['lease', 'schema_migrations', 'state'])
      const applied = await db.query('SELECT version, name FROM seam_alerts.schema_migrations')
      expect(applied.rows).toEqual([
        { version: 1, name: 'lease and state' },
        { version: 2, name: 'previous generation' },
      ])
      const lease = await db.query('SELECT id, holder, epoch, expires_at, api_url FROM seam_alerts.lease')
      expect(lease.rows).toEqual([{ id: 1, holder: null, epoch: '0', expires_at: null, api_url: null }])
      // Unqualified names resolve in the schema (the pool's search_path): how the lease's SQL is written.
      const acquired = await db.query(
        `UPDATE lease SET holder = $1, epoch = epoch + 1, expires_at = now() + interval '15 seconds', api_url = $2
          WHERE id = 1 AND (holder IS NULL OR expires_at <= now()) RETURNING epoch`,
        ['replica-a', 'http://127.0.0.1:9464'],
      )
      expect(acquired.rows).toEqual([{ epoch: '1' }])
      expect(await runMigrations(db, silentLogger)).toEqual([])
      const again = await openPostgres(pgdb.url())
      await again.close()
      expect((await db.query('SELECT count(*)::int AS n FROM seam_alerts.schema_migrations')).rows).toEqual([
        { n: 2 },
      ])
      expect((await db.query('SELECT holder FROM seam_alerts.lease')).rows).toEqual([{ holder: 'replica-a' }])
    } finally {
      await db.close()
    }
  })

  it('two pools migrating at once take turns: each migration is applied once', async () => {
    const opened = await Promise.all([1, 2, 3].map(() => openPostgres(pgdb.url(), { schema: 'racing' })))
    try {
      const rows = await opened[0]!.query('SELECT version FROM racing.schema_migrations')
      expect(rows.rows).toEqual([{ version: 1 }, { version: 2 }])
      expect((await opened[0]!.query('SELECT count(*)::int AS n FROM racing.lease')).rows).toEqual([{ n: 1 }])
    } finally {
      await Promise.all(opened.map((db) => db.close()))
    }
  })

  it('a schema of its own per postgres.schema, and never CREATE EXTENSION', async () => {
    const db = await openPostgres(pgdb.url(), { schema: 'tenant_b' })
    await db.close()
    const found = await pgdb.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'tenant_b'`,
    )
    expect(found.rows).toEqual([{ n: 3 }])
    for (const migration of PG_MIGRATIONS) expect(migration.sql('"x"')).not.toMatch(/EXTENSION/i)
  })

  it('refuses a schema migrated by a newer seam-alerts, and an invalid schema name', async () => {
    const db = await openPostgres(pgdb.url(), { schema: 'newer' })
    await db.query(`INSERT INTO newer.schema_migrations (version, name) VALUES (99, 'from the future')`)
    const error = await caught(runMigrations(db, silentLogger))
    await db.close()
    expect(hasCode(error, 'STATE_CORRUPT')).toBe(true)
    expect(error?.message).toMatch(/newer seam-alerts \(schema version 99; this seam-alerts knows up to 2\)/)
    expect(hasCode(await caught(openPostgres(pgdb.url(), { schema: 'Bad-Name' })), 'CONFIG_INVALID')).toBe(
      true,
    )
  })

  it('a connection error names host, port and database, never the password', async () => {
    const password = 'pw-that-must-not-leak-91f2'
    const closed = `postgres://seam_app:${password}@127.0.0.1:1/${pgdb.name}`
    const refused = await caught(openPostgres(closed, { connectTimeoutMs: 2000 }))
    expect(hasCode(refused, 'STORE_UNAVAILABLE')).toBe(true)
    expect(refused?.message).toContain(`127.0.0.1:1/${pgdb.name}`)
    expect(refused?.message).not.toContain(password)

    const wrong = pgdb.url({ user: pgdb.app.user, password })
    const denied = await caught(openPostgres(wrong))
    expect(hasCode(denied, 'STORE_UNAVAILABLE')).toBe(true)
    expect(denied?.message).toContain(`127.0.0.1:${pgdb.port}/${pgdb.name}`)
    expect(denied?.message).toMatch(/password authentication failed/)
    expect(denied?.message).not.toContain(password)
    expect(JSON.stringify(denied, Object.getOwnPropertyNames(denied))).not.toContain(password)
  })
})
