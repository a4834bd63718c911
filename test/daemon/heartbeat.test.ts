import { afterEach, describe, expect, it } from 'vitest'
import { systemClock } from '../../src/clock.js'
import { configSchema } from '../../src/config.js'
import { HealthTracker } from '../../src/daemon/health.js'
import { failUrl, Heartbeat, heartbeatVerdict } from '../../src/daemon/heartbeat.js'
import { DaemonMetrics } from '../../src/daemon/metrics.js'
import { captureLogger } from '../helpers/fixtures.js'
import { type HttpStandIn, startHttpStandIn } from '../helpers/http-stand-in.js'

let checker: HttpStandIn | undefined
let beat: Heartbeat | undefined
afterEach(async () => {
  await beat?.stop()
  await checker?.close()
  beat = undefined
  checker = undefined
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function setup(extra: { failSuffix?: boolean; method?: 'GET' | 'POST'; status?: number } = {}) {
  checker = await startHttpStandIn(undefined, { status: extra.status ?? 200, body: 'OK' })
  const health = new HealthTracker(systemClock)
  const metrics = new DaemonMetrics({ defaultMetrics: false })
  const captured = captureLogger()
  const { logger } = captured
  const lines = () => captured.lines as Array<Record<string, unknown>>
  const url = `${checker.url}/ping/0b1d-uuid`
  const heartbeat = configSchema.parse({
    heartbeat: {
      url,
      every: '100ms',
      ...(extra.method ? { method: extra.method } : {}),
      failSuffix: extra.failSuffix,
    },
  }).heartbeat!
  beat = new Heartbeat({ heartbeat, lagAboveMs: 60_000, health, metrics, logger })
  const counts = async () =>
    Object.fromEntries(
      (await metrics.heartbeats.get()).values.map((v) => [String(v.labels.outcome), v.value]),
    )
  return { health, metrics, lines, url, counts, checker }
}

describe('heartbeat', () => {
  it('calls the URL every `every` while healthy, and stops while Seam fails', async () => {
    const { health, counts, checker } = await setup()
    beat!.start()
    await sleep(250)
    expect(checker.calls).toHaveLength(0) // no poll has succeeded yet
    health.polled(new Date().toISOString())
    await checker.waitFor(3)
    expect(checker.calls.every((c) => c.method === 'GET' && c.path === '/ping/0b1d-uuid')).toBe(true)
    health.fail('seam', 'HTTP 503')
    await sleep(150)
    const during = checker.calls.length
    await sleep(400)
    expect(checker.calls.length).toBe(during)
    expect((await counts()).skipped).toBeGreaterThan(0)
    health.ok('seam')
    health.polled(new Date().toISOString())
    await checker.waitFor(during + 1)
  })

  it('stops while the cursor lags more than monitor.lagAbove', async () => {
    const health = new HealthTracker(systemClock)
    health.polled(new Date(Date.now() - 30_000).toISOString())
    expect(heartbeatVerdict(health, 60_000)).toBe('healthy')
    expect(heartbeatVerdict(health, 10_000)).toBe('unhealthy')
    expect(heartbeatVerdict(new HealthTracker(systemClock), 10_000)).toBe('starting')
  })

  it('calls <url>/fail while unhealthy with failSuffix, and POSTs when asked to', async () => {
    const { health, counts, checker } = await setup({ failSuffix: true, method: 'POST' })
    health.polled(new Date().toISOString())
    health.fail('state', 'disk full')
    beat!.start()
    await checker.waitFor(2)
    expect(checker.calls.slice(0, 2).map((c) => [c.method, c.path])).toEqual([
      ['POST', '/ping/0b1d-uuid/fail'],
      ['POST', '/ping/0b1d-uuid/fail'],
    ])
    await sleep(50)
    expect((await counts()).fail).toBeGreaterThanOrEqual(2)
    expect(failUrl('https://hc-ping.com/abc/?x=1')).toBe('https://hc-ping.com/abc/fail?x=1')
  })

  it('logs and counts a failing checker without the URL, and keeps going', async () => {
    const { health, counts, lines, checker } = await setup({ status: 500 })
    health.polled(new Date().toISOString())
    beat!.start()
    await checker.waitFor(3)
    await sleep(20)
    expect((await counts()).error).toBeGreaterThanOrEqual(2)
    const warned = lines().filter((l) => l.msg === 'heartbeat call failed')
    expect(warned).toHaveLength(1) // once; repeats at debug level
    expect(warned[0]?.err).toBe('HTTP 500')
    expect(JSON.stringify(lines())).not.toContain('0b1d-uuid')
  })
})
