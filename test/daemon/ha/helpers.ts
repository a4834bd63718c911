import { randomBytes } from 'node:crypto'
import pg from 'pg'
import type { PgTestDatabase } from '../../helpers/postgres.js'

/** A fresh schema with the lease row (as the store's migrations make it), and a pool on it as the app role. */
export async function leaseSchema(db: PgTestDatabase): Promise<{
  schema: string
  pool: pg.Pool
  close(): Promise<void>
}> {
  const schema = `ha_${randomBytes(4).toString('hex')}`
  const pool = new pg.Pool({ connectionString: db.url(), max: 4 })
  await pool.query(`CREATE SCHEMA ${schema}`)
  await pool.query(
    `CREATE TABLE ${schema}.lease (id smallint PRIMARY KEY CHECK (id = 1), holder text, epoch bigint NOT NULL DEFAULT 0, expires_at timestamptz, api_url text)`,
  )
  await pool.query(`INSERT INTO ${schema}.lease (id) VALUES (1)`)
  return { schema, pool, close: () => pool.end() }
}

/** A monotonic clock the test moves (a freeze is a jump forward). */
export function manualMono(start = 1_000) {
  let t = start
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms
    },
  }
}
