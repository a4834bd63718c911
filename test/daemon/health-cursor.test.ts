import { afterEach, describe, expect, it } from 'vitest'
import { manualClock } from '../../src/clock.js'
import { HealthTracker } from '../../src/daemon/health.js'
import { type HealthServer, startHealthServer } from '../../src/daemon/health-server.js'
import { DaemonMetrics } from '../../src/daemon/metrics.js'
import { silentLogger } from '../../src/log.js'
import { at, T0 } from '../helpers/fixtures.js'

let server: HealthServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

describe('/healthz during a Seam outage', () => {
  it('reports the saved cursor and its lag although no poll has succeeded yet', async () => {
    const clock = manualClock(T0)
    const health = new HealthTracker(clock)
    let saved: string | null = at(T0 - 10 * 60_000)
    health.useDurableCursor(() => saved)
    server = await startHealthServer({
      host: '127.0.0.1',
      port: 0,
      health,
      metrics: new DaemonMetrics({ defaultMetrics: false }),
      logger: silentLogger,
    })
    health.fail('seam', 'Seam is unavailable: HTTP 503')
    clock.advance(60_000)
    const res = await fetch(`${server.url}/healthz`)
    expect(res.status).toBe(503)
    expect(await res.json()).toMatchObject({
      status: 'failing',
      cursor: at(T0 - 10 * 60_000),
      lagSeconds: 660,
      lastPollAt: null,
    })

    // Recovery: a successful poll moves the saved cursor; then Seam fails again and lastPollAt stays.
    saved = at(T0 + 55_000)
    health.ok('seam')
    health.polled(saved)
    clock.advance(30_000)
    health.fail('seam', 'HTTP 503 again')
    expect(health.report()).toMatchObject({
      status: 'failing',
      cursor: at(T0 + 55_000),
      lagSeconds: 35,
      lastPollAt: at(T0 + 60_000),
    })
  })

  it('takes the durable cursor from the constructor too, and stays null on a fresh state', () => {
    const clock = manualClock(T0)
    const fresh = new HealthTracker(clock, { durableCursor: () => null })
    fresh.fail('seam', 'down')
    expect(fresh.report()).toMatchObject({ cursor: null, lagSeconds: null, lastPollAt: null })
    const saved = new HealthTracker(clock, { durableCursor: () => at(T0 - 5000) })
    expect(saved.report()).toMatchObject({ status: 'ok', cursor: at(T0 - 5000), lagSeconds: 5 })
  })
})
