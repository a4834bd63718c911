import { readTruncatedText } from '../capped-body.js'
import type { Config } from '../config.js'
import { errorMessage } from '../errors.js'
import type { Logger } from '../log.js'
import { scrubSecrets } from '../secrets/scrub.js'
import type { DaemonContext } from './context.js'
import type { HealthTracker } from './health.js'
import type { Component } from './lifecycle.js'
import type { DaemonMetrics } from './metrics.js'

export type HeartbeatConfig = NonNullable<Config['heartbeat']>

/** Longest wait for one heartbeat answer (and never longer than the interval). */
const CALL_TIMEOUT_MS = 10_000
/** Until the first poll has succeeded, health is re-checked this often (so the first call is not `every` late). */
const STARTUP_RECHECK_MS = 1_000

export type HeartbeatVerdict = 'healthy' | 'unhealthy' | 'starting'

/**
 * Healthy: no part failing (the last poll succeeded, state writes work) and the cursor lag below `lagAboveMs`.
 * Starting: no poll has succeeded yet and nothing has failed either.
 */
export function heartbeatVerdict(health: HealthTracker, lagAboveMs: number): HeartbeatVerdict {
  const report = health.report()
  if (report.status !== 'ok') return 'unhealthy'
  if (report.lastPollAt === null) return 'starting'
  if (report.lagSeconds !== null && report.lagSeconds * 1000 >= lagAboveMs) return 'unhealthy'
  return 'healthy'
}

/** `<url>/fail` (healthchecks.io's convention), keeping the query string. */
export function failUrl(url: string): string {
  const parsed = new URL(url)
  parsed.pathname = `${parsed.pathname.replace(/\/+$/, '')}/fail`
  return parsed.href
}

export interface HeartbeatOptions {
  heartbeat: HeartbeatConfig
  lagAboveMs: number
  health: HealthTracker
  metrics: DaemonMetrics
  logger: Logger
}

/**
 * The dead man's switch: every `every`, while the daemon is healthy, call `heartbeat.url` (GET or POST); while it
 * is unhealthy, stay silent, or call `<url>/fail` with `failSuffix`. A failed call is logged and counted
 * (seam_alerts_heartbeats_total{outcome="error"}) and never touches alerting. The URL is a secret: never logged.
 */
export class Heartbeat {
  #timer: NodeJS.Timeout | undefined
  #abort = new AbortController()
  #running: Promise<void> | undefined
  #stopped = false
  #lastError: string | undefined

  constructor(private readonly opts: HeartbeatOptions) {}

  start(): void {
    this.#schedule(0)
  }

  async stop(): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#timer)
    this.#abort.abort()
    await this.#running
  }

  #schedule(ms: number): void {
    if (this.#stopped) return
    this.#timer = setTimeout(() => {
      this.#running = this.tick().then((next) => this.#schedule(next))
    }, ms)
    this.#timer.unref?.()
  }

  /** One beat; returns the delay until the next one. */
  async tick(): Promise<number> {
    const { heartbeat, health, lagAboveMs, metrics } = this.opts
    const verdict = heartbeatVerdict(health, lagAboveMs)
    if (verdict === 'starting') return Math.min(heartbeat.every, STARTUP_RECHECK_MS)
    if (verdict === 'unhealthy' && !heartbeat.failSuffix) {
      metrics.heartbeats.inc({ outcome: 'skipped' })
      return heartbeat.every
    }
    const url = verdict === 'healthy' ? heartbeat.url : failUrl(heartbeat.url)
    const outcome = verdict === 'healthy' ? 'ok' : 'fail'
    try {
      await this.call(url)
      metrics.heartbeats.inc({ outcome })
      if (this.#lastError !== undefined) this.opts.logger.info('heartbeat: reachable again')
      this.#lastError = undefined
    } catch (error) {
      if (this.#stopped) return heartbeat.every
      metrics.heartbeats.inc({ outcome: 'error' })
      const reason = scrubSecrets(errorMessage(error).split(heartbeat.url).join('[heartbeat url]'))
      // Once per kind of failure at warn level; a repeat at debug, so a dead checker does not flood the log.
      if (reason !== this.#lastError) this.opts.logger.warn({ err: reason }, 'heartbeat call failed')
      else this.opts.logger.debug({ err: reason }, 'heartbeat call still failing')
      this.#lastError = reason
    }
    return heartbeat.every
  }

  private async call(url: string): Promise<void> {
    const { heartbeat } = this.opts
    const signal = AbortSignal.any([
      this.#abort.signal,
      AbortSignal.timeout(Math.min(CALL_TIMEOUT_MS, Math.max(heartbeat.every, 1000))),
    ])
    let response: Response
    try {
      response = await fetch(url, {
        method: heartbeat.method,
        redirect: 'manual',
        signal,
        headers: { 'user-agent': 'seam-alerts' },
      })
    } catch (error) {
      const cause = (error as { cause?: { code?: unknown } }).cause?.code
      throw new Error(
        signal.aborted ? 'no answer in time' : `request failed (${String(cause ?? errorMessage(error))})`,
      )
    }
    await readTruncatedText(response, 64 * 1024)
    if (response.status < 200 || response.status >= 300) throw new Error(`HTTP ${response.status}`)
  }
}

/** The heartbeat as a daemon component (not with --once: one cycle is no sign of life). */
export function heartbeat(ctx: DaemonContext): Component {
  const config = ctx.config.heartbeat
  if (!config || ctx.once) return { name: 'heartbeat' }
  const beat = new Heartbeat({
    heartbeat: config,
    lagAboveMs: ctx.config.monitor.lagAbove,
    health: ctx.health,
    metrics: ctx.metrics,
    logger: ctx.logger.child({ component: 'heartbeat' }),
  })
  return { name: 'heartbeat', start: () => beat.start(), stop: () => beat.stop() }
}
