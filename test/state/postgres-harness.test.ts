import pg from 'pg'
import { expect, it } from 'vitest'
import { describePg } from '../helpers/postgres.js'

// The shared server the run starts (test/helpers/postgres-global-setup.ts), seen from a unit test.
describePg('the shared PostgreSQL test server', (db) => {
  it('gives this block a database of its own, owned by the password role, which is not a superuser', async () => {
    const { rows } = await db.query<{ db: string; role: string; superuser: boolean; owner: string }>(
      `SELECT current_database() AS db, current_user AS role,
              (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,
              pg_get_userbyid(datdba) AS owner
         FROM pg_database WHERE datname = current_database()`,
    )
    expect(rows).toEqual([{ db: db.name, role: 'seam_app', superuser: false, owner: 'seam_app' }])
    expect(db.url()).toContain(`:${encodeURIComponent(db.app.password)}@127.0.0.1:${db.port}/${db.name}`)
  })

  it('lets the role create a schema and tables in its database', async () => {
    await db.query('CREATE SCHEMA seam_alerts')
    await db.query('CREATE TABLE seam_alerts.t (id int PRIMARY KEY, doc jsonb)')
    await db.query(`INSERT INTO seam_alerts.t VALUES (1, '{"a": 1}')`)
    const { rows } = await db.query('SELECT doc FROM seam_alerts.t')
    expect(rows).toEqual([{ doc: { a: 1 } }])
  })

  it('checks passwords on TCP: a wrong one is refused, and the error does not echo it', async () => {
    const wrong = 'not-the-password-7f3a'
    const client = new pg.Client({ connectionString: db.url({ user: db.app.user, password: wrong }) })
    client.on('error', () => {})
    const error = await client.connect().then(
      () => undefined,
      (caught: Error) => caught,
    )
    await client.end().catch(() => {})
    expect(error?.message).toMatch(/password authentication failed for user "seam_app"/)
    expect(error?.message).not.toContain(wrong)
  })

  it('makes more databases on request, each empty', async () => {
    const other = await db.createDatabase()
    expect(other).not.toBe(db.name)
    const client = new pg.Client({ connectionString: db.url(db.app, other) })
    await client.connect()
    try {
      const { rows } = await client.query(
        `SELECT count(*)::int AS n FROM information_schema.schemata WHERE schema_name = 'seam_alerts'`,
      )
      expect(rows).toEqual([{ n: 0 }])
    } finally {
      await client.end()
    }
  })
})
