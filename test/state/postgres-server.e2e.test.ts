import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeWithPostgres } from '../helpers/postgres.js'
import { type PostgresServer, startPostgres } from '../helpers/postgres-server.js'

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

// A server of this file's own (test/helpers/postgres-server.ts), to stop, crash and restart.
describeWithPostgres('a PostgreSQL server of its own', () => {
  let server: PostgresServer
  let database: string
  beforeAll(async () => {
    server = await startPostgres()
    database = await server.createDatabase()
  }, 90_000)
  afterAll(() => server?.close())

  it('serves on loopback with the password role, its socket inside its own directory', async () => {
    expect(server.url(database)).toBe(
      `postgres://seam_app:${encodeURIComponent(server.app.password)}@127.0.0.1:${server.port}/${database}`,
    )
    const { rows } = await withClient(server.url(database), (c) => c.query('SELECT current_user AS u'))
    expect(rows).toEqual([{ u: 'seam_app' }])
    const sockets = readFileSync(path.join(server.dataDir, 'postmaster.pid'), 'utf8').split('\n')[4]
    expect(sockets).toBe(path.join(path.dirname(server.dataDir), 'socket'))
  })

  it('keeps committed data across a clean restart and across a crash', async () => {
    await withClient(server.url(database), async (c) => {
      await c.query('CREATE TABLE kept (n int)')
      await c.query('INSERT INTO kept VALUES (1)')
    })
    await server.restart()
    await withClient(server.url(database), (c) => c.query('INSERT INTO kept VALUES (2)'))
    await server.kill()
    await expect(withClient(server.url(database), (c) => c.query('SELECT 1'))).rejects.toThrow(/ECONNREFUSED/)
    await server.start()
    const { rows } = await withClient(server.url(database), (c) => c.query('SELECT n FROM kept ORDER BY n'))
    expect(rows).toEqual([{ n: 1 }, { n: 2 }])
  }, 90_000)

  it('leaves no process and no directory behind when closed', async () => {
    const pid = Number(readFileSync(path.join(server.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0])
    expect(alive(pid)).toBe(true)
    await server.close()
    expect(alive(pid)).toBe(false)
    expect(existsSync(path.dirname(server.dataDir))).toBe(false)
    await server.close()
  }, 60_000)
})
