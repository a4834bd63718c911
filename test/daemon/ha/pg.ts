import { randomBytes } from 'node:crypto'
import pg from 'pg'

/**
 * A database for the HA tests: a fresh schema with the lease row. TEMPORARY until the harness
 * (test/helpers/postgres.ts) is merged: reads PG_SCRATCH_URL.
 */
export async function leaseDatabase(): Promise<{
  url: string
  schema: string
  pool: pg.Pool
  close(): Promise<void>
}> {
  const url = process.env.PG_SCRATCH_URL
  if (!url) throw new Error('PG_SCRATCH_URL not set')
  const schema = `ha_${randomBytes(4).toString('hex')}`
  const pool = new pg.Pool({ connectionString: url, max: 4 })
  await pool.query(`CREATE SCHEMA ${schema}`)
  await pool.query(
    `CREATE TABLE ${schema}.lease (id smallint PRIMARY KEY CHECK (id = 1), holder text, epoch bigint NOT NULL DEFAULT 0, expires_at timestamptz, api_url text)`,
  )
  await pool.query(`INSERT INTO ${schema}.lease (id) VALUES (1)`)
  return {
    url,
    schema,
    pool,
    close: async () => {
      await pool.query(`DROP SCHEMA ${schema} CASCADE`)
      await pool.end()
    },
  }
}
