import { afterAll, beforeAll, expect, it } from 'vitest'
import { Lease } from '../../../src/daemon/ha/lease.js'
import { describePg } from '../../helpers/postgres.js'
import { leaseSchema, manualMono } from './helpers.js'

const TTL = 600

describePg('the leader lease row', (pgdb) => {
  let db: Awaited<ReturnType<typeof leaseSchema>>
  beforeAll(async () => {
    db = await leaseSchema(pgdb)
  })
  afterAll(async () => {
    await db?.close()
  })

  const lease = (holder: string, mono = manualMono(), apiUrl?: string) =>
    new Lease({ db: db.pool, schema: db.schema, holder, ttlMs: TTL, mono, apiUrl: () => apiUrl })

  it('is acquired by one replica, renewed by it only, released, then taken by the other with the epoch + 1', async () => {
    const a = lease('a', manualMono(), 'http://127.0.0.1:1')
    const b = lease('b')
    const first = await a.acquire()
    expect(first).toBeGreaterThan(0)
    expect(await b.acquire()).toBeUndefined()
    expect(await b.read()).toMatchObject({ holder: 'a', epoch: first, apiUrl: 'http://127.0.0.1:1' })
    expect(a.valid()).toBe(true)
    expect(await a.renew()).toBe(true)
    expect(await b.renew()).toBe(false)
    expect(await a.release()).toBe(true)
    expect(a.valid()).toBe(false)
    expect(await a.read()).toMatchObject({ holder: null, expiresAt: null, apiUrl: null, epoch: first })
    expect(await b.acquire()).toBe((first ?? 0) + 1)
    expect(await b.release()).toBe(true)
  })

  it('is taken over once it expires on the database clock; the stale holder cannot renew or release it', async () => {
    const a = lease('a')
    const b = lease('b')
    const epoch = (await a.acquire()) ?? 0
    await db.pool.query(`UPDATE ${db.schema}.lease SET expires_at = now() - interval '1 second'`)
    expect(await b.acquire()).toBe(epoch + 1)
    expect(await a.renew()).toBe(false)
    expect(a.epoch).toBeUndefined()
    expect(await a.release()).toBe(false)
    expect(await b.read()).toMatchObject({ holder: 'b', epoch: epoch + 1 })
    await b.release()
  })

  it('ends locally on the monotonic clock before the TTL, whatever the database says (a frozen process)', async () => {
    const mono = manualMono()
    const a = lease('a', mono)
    await a.acquire()
    mono.advance(TTL * 0.85)
    expect(a.valid()).toBe(true)
    mono.advance(TTL * 0.1) // 95% of the TTL: past the 10% margin
    expect(a.valid()).toBe(false)
    expect(a.remainingMs()).toBe(0)
    // Nobody took it over: the renewal succeeds and the lease is valid again for a TTL from the renewal.
    expect(await a.renew()).toBe(true)
    expect(a.valid()).toBe(true)
    await a.release()
  })

  it('is taken back by its own holder with a new epoch (a replica re-leading after it stepped down)', async () => {
    const a = lease('a')
    const epoch = (await a.acquire()) ?? 0
    a.drop()
    expect(await a.acquire()).toBe(epoch + 1)
    await a.release()
  })
})
