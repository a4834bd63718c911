import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { systemClock } from '../../src/clock.js'
import { HealthTracker } from '../../src/daemon/health.js'
import { startHealthServer } from '../../src/daemon/health-server.js'
import { DaemonMetrics } from '../../src/daemon/metrics.js'
import { silentLogger } from '../../src/log.js'

describe('health server port', () => {
  it('explains a port in use and how to fix it', async () => {
    const taken = createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    const port = (taken.address() as AddressInfo).port
    try {
      const started = startHealthServer({
        host: '127.0.0.1',
        port,
        health: new HealthTracker(systemClock),
        metrics: new DaemonMetrics({ defaultMetrics: false }),
        logger: silentLogger,
      })
      await expect(started).rejects.toMatchObject({
        code: 'USAGE',
        message: `cannot serve /healthz and /metrics on 127.0.0.1:${port} (EADDRINUSE): set "server.port" to a free port, or "server": false`,
      })
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()))
    }
  })
})
