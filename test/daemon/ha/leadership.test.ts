import type pg from 'pg'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import type { LeaderGuard } from '../../../src/daemon/ha/guard.js'
import { Leadership } from '../../../src/daemon/ha/leadership.js'
import { Lease, type LeaseSql } from '../../../src/daemon/ha/lease.js'
import { StoreDownAlert } from '../../../src/daemon/ha/store-down.js'
import { HealthTracker } from '../../../src/daemon/health.js'
import { DaemonMetrics } from '../../../src/daemon/metrics.js'
import { captureLogger, captureStream } from '../../helpers/fixtures.js'
import { describePg } from '../../helpers/postgres.js'
import { leaseSchema, manualMono } from './helpers.js'

const RENEW = 100
const TTL = 400

const until = async (check: () => boolean, ms = 5_000) => {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

describePg('leadership: one leader, standbys that take over', (pgdb) => {
  let db: Awaited<ReturnType<typeof leaseSchema>>
  const running: Leadership[] = []
  beforeAll(async () => {
    db = await leaseSchema(pgdb)
  })
  afterEach(async () => {
    for (const one of running.splice(0)) await one.stop()
    await db.pool.query(`UPDATE ${db.schema}.lease SET holder = NULL, expires_at = NULL`)
  })
  afterAll(async () => {
    await db?.close()
  })

  /** A replica's leadership whose terms are recorded: started with their guard, stopped. */
  function replica(name: string, opts: { mono?: ReturnType<typeof manualMono>; sql?: LeaseSql } = {}) {
    const log = captureLogger()
    const { logger } = log
    const metrics = new DaemonMetrics({ defaultMetrics: false })
    const health = new HealthTracker({ now: () => Date.now() })
    const console = captureStream()
    const terms: { epoch: number; guard: LeaderGuard; stopped: boolean }[] = []
    const lease = new Lease({
      db: opts.sql ?? db.pool,
      schema: db.schema,
      holder: name,
      ttlMs: TTL,
      ...(opts.mono ? { mono: opts.mono } : {}),
    })
    const leadership = new Leadership({
      lease,
      renewEveryMs: RENEW,
      maxBackoffMs: TTL,
      logger,
      metrics,
      health,
      storeDown: new StoreDownAlert({ logger, target: '127.0.0.1:1/nowhere', console: console.stream }),
      lead: async (guard, epoch) => {
        const term = { epoch, guard, stopped: false }
        terms.push(term)
        return {
          stop: async () => {
            term.stopped = true
          },
        }
      },
    })
    running.push(leadership)
    health.useRole(() => leadership.report())
    return {
      leadership,
      lease,
      terms,
      get lines() {
        return log.lines
      },
      metrics,
      health,
      console,
    }
  }

  it('elects one leader; the standby takes over with epoch + 1 once the leader releases the lease', async () => {
    const a = replica('a')
    const b = replica('b')
    expect(await a.leadership.start()).toBe('leader')
    expect(await b.leadership.start()).toBe('standby')
    expect(a.terms).toHaveLength(1)
    expect(b.terms).toHaveLength(0)
    expect(b.leadership.report()).toMatchObject({ role: 'standby', lease: { holder: 'a', self: 'b' } })
    // Renewals keep it: several renew periods later, still one leader.
    await new Promise((resolve) => setTimeout(resolve, 3 * RENEW))
    expect(a.leadership.role).toBe('leader')
    expect(b.terms).toHaveLength(0)

    const epoch = a.terms[0]!.epoch
    await a.leadership.stop()
    expect(a.terms[0]!.stopped).toBe(true)
    expect(a.terms[0]!.guard.mayAct()).toBe(false)
    await until(() => b.leadership.role === 'leader')
    expect(b.terms[0]!.epoch).toBe(epoch + 1)
    expect(b.terms[0]!.guard.mayAct()).toBe(true)
    expect(await b.metrics.registry.getSingleMetricAsString('seam_alerts_ha_leader')).toMatch(/ 1$/m)
    expect(await b.metrics.registry.getSingleMetricAsString('seam_alerts_ha_lease_epoch')).toContain(
      ` ${epoch + 1}`,
    )
    expect(
      await b.metrics.registry.getSingleMetricAsString('seam_alerts_ha_lease_transitions_total'),
    ).toContain('to="leader"} 1')
  })

  it('a leader frozen past its lease stops acting on its first check after waking, before any renewal', async () => {
    const mono = manualMono()
    const a = replica('frozen', { mono })
    expect(await a.leadership.start()).toBe('leader')
    const { guard } = a.terms[0]!
    expect(guard.mayAct()).toBe(true)
    mono.advance(TTL) // SIGSTOP for a TTL, then SIGCONT: the monotonic clock moved on, timers have not run yet
    expect(guard.mayAct()).toBe(false)
    expect(guard.lost.aborted).toBe(true)
    expect(a.leadership.role).toBe('standby')
    await until(() => a.terms[0]!.stopped)
    expect(a.lines.some((line) => String(line.msg).includes('lost the leader lease'))).toBe(true)
  })

  it("a stale leader's renewal fails once another replica took over, and it steps down", async () => {
    // The stale leader's statements wait while it is "frozen" (they go out when it resumes).
    let thaw: (() => void) | undefined
    let frozen: Promise<void> | undefined
    const freezable: LeaseSql = {
      query: async (text, values) => {
        await frozen
        return db.pool.query(text, values as unknown[])
      },
    }
    const a = replica('stale', { sql: freezable })
    expect(await a.leadership.start()).toBe('leader')
    frozen = new Promise((resolve) => {
      thaw = resolve
    })
    // The database's expiry passes while the leader is frozen; another replica takes over.
    await db.pool.query(`UPDATE ${db.schema}.lease SET expires_at = now() - interval '1 second'`)
    const b = replica('taker')
    expect(await b.leadership.start()).toBe('leader')
    thaw?.()
    await until(() => a.leadership.role === 'standby')
    expect(a.terms[0]!.guard.lost.aborted).toBe(true)
    expect(a.terms[0]!.stopped).toBe(true)
    expect(b.terms[0]!.epoch).toBe(a.terms[0]!.epoch + 1)
    await until(() => a.leadership.report().lease.holder === 'taker')
  })

  it('steps down when a state write is fenced, and leads again later with a fresh term', async () => {
    const a = replica('fenced')
    expect(await a.leadership.start()).toBe('leader')
    a.terms[0]!.guard.resign('a state write was fenced')
    expect(a.leadership.role).toBe('standby')
    await until(() => a.terms[0]!.stopped)
    // Nobody else is there: it takes the lease back with a new epoch and a new term.
    await until(() => a.terms.length === 2)
    expect(a.terms[1]!.epoch).toBe(a.terms[0]!.epoch + 1)
  })

  it('a database outage: one store-down alert, health failing, backoff, one recovery line', async () => {
    let down = true
    const real = db.pool
    const flaky: LeaseSql = {
      query: (text, values) =>
        down
          ? Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:1'))
          : real.query(text, values as unknown[]),
    }
    const a = replica('outage', { sql: flaky as unknown as pg.Pool })
    expect(await a.leadership.start()).toBe('standby')
    await new Promise((resolve) => setTimeout(resolve, 4 * RENEW))
    expect(a.health.report()).toMatchObject({ status: 'failing', role: 'standby' })
    expect(a.health.report().reasons.join()).toContain('PostgreSQL store unreachable')
    const alerts = a.lines.filter((line) => line.alert === 'seam-alerts.monitor:store-down')
    expect(alerts).toHaveLength(1)
    expect(a.console.text()).toContain('FIRING seam-alerts.monitor:store-down')
    down = false
    await until(() => a.leadership.role === 'leader', 5_000)
    expect(a.health.report().status).toBe('ok')
    expect(a.lines.filter((line) => line.alert === 'seam-alerts.monitor:store-down')).toHaveLength(2)
    expect(a.console.text()).toContain('RESOLVED seam-alerts.monitor:store-down')
  })
})
