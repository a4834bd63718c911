import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { errorMessage, SeamAlertsError } from '../errors.js'
import type { Logger } from '../log.js'
import { canonicalStatePath } from '../state/lock.js'
import { isPostgresUrl } from '../state/postgres/target.js'
import { connectUrl, removeApiAddress, writeApiAddress } from './api/address-file.js'
import { API_PREFIX, apiHandler } from './api/router.js'
import type { DaemonContext } from './context.js'
import { gaugeRefresher } from './daemon-state.js'
import type { HealthTracker } from './health.js'
import type { DaemonMetrics } from './metrics.js'

export interface HealthServer {
  /** `http://host:port` actually bound (port 0 -> the ephemeral port). */
  url: string
  port: number
  close(): Promise<void>
}

/**
 * `/healthz` (200 `{"status":"ok",...}` while polling works, 503 with the reasons otherwise) and `/metrics`
 * (Prometheus text format) on node:http, and the local API under /api/ when `api` is given (src/daemon/api/).
 * Anything else is 404.
 */
export async function startHealthServer(opts: {
  host: string
  port: number
  health: HealthTracker
  metrics: DaemonMetrics
  logger: Logger
  /** Called before /metrics renders, to refresh gauges from the live state. */
  beforeScrape?: () => void
  /** The local API: every request under /api/ goes here. */
  api?: (req: IncomingMessage, res: ServerResponse) => void
}): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0]
    if (url?.startsWith(API_PREFIX) && opts.api) {
      opts.api(req, res)
      return
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end()
      return
    }
    if (url === '/healthz') {
      const report = opts.health.report()
      const body = JSON.stringify(report)
      res
        .writeHead(report.status === 'ok' ? 200 : 503, {
          'content-type': 'application/json; charset=utf-8',
          'cache-control': 'no-store',
        })
        .end(body)
      return
    }
    if (url === '/metrics') {
      try {
        opts.beforeScrape?.()
      } catch (error) {
        opts.logger.warn({ err: error }, 'refreshing metrics failed')
      }
      opts.metrics.registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': opts.metrics.registry.contentType }).end(text)
        },
        (error: unknown) => {
          opts.logger.error({ err: error }, 'rendering metrics failed')
          res.writeHead(500).end()
        },
      )
      return
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /healthz or /metrics\n')
  })
  await new Promise<void>((resolve, reject) => {
    const fail = (error: NodeJS.ErrnoException) =>
      reject(
        new SeamAlertsError(
          'USAGE',
          `cannot serve /healthz and /metrics on ${opts.host}:${opts.port} (${error.code ?? errorMessage(error)}): set "server.port" to a free port, or "server": false`,
        ),
      )
    server.once('error', fail)
    server.listen(opts.port, opts.host, () => {
      server.off('error', fail)
      resolve()
    })
  })
  server.on('error', (error) => opts.logger.error({ err: error }, 'health server error'))
  const address = server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

/**
 * /healthz, /metrics and the local API as a daemon component (`config.server`; undefined when `false`): listening
 * once this resolves, closed at shutdown after the final state write. Gauges are refreshed from the state on
 * every scrape. The bound address is written to `<state>.api` for the CLI (api/address-file.ts).
 */
export async function serveHealth(ctx: DaemonContext): Promise<HealthServer | undefined> {
  if (ctx.config.server === false) return undefined
  const { host, port, apiToken } = ctx.config.server
  const api = apiHandler({ state: ctx.state, clock: ctx.clock, logger: ctx.logger, apiToken })
  const server = await startHealthServer({ host, port, ...ctx, beforeScrape: gaugeRefresher(ctx), api })
  // With PostgreSQL, the CLI finds the leader's API in the lease row instead (written by the lease).
  const stateFile = isPostgresUrl(ctx.config.state) ? undefined : await canonicalStatePath(ctx.config.state)
  if (stateFile)
    await writeApiAddress(stateFile, connectUrl(host, server.port)).catch((error: unknown) =>
      ctx.logger.warn({ err: errorMessage(error) }, 'cannot record the local API address for the CLI'),
    )
  ctx.lifecycle.add({
    name: 'health server',
    stop: async () => {
      if (stateFile) await removeApiAddress(stateFile)
      await server.close()
    },
  })
  return server
}
