import { whenAborted } from '../abort.js'
import { type Clock, systemClock } from '../clock.js'
import type { Config } from '../config.js'
import type { Logger } from '../log.js'
import type { DeliveryWorker } from '../notify/delivery-worker.js'
import type { Action } from '../rules/action-schema.js'
import { isPostgresUrl } from '../state/postgres/target.js'
import { checkConfig } from './config-check.js'
import { type DaemonContext, openContext } from './context.js'
import { startReplica } from './ha/replica.js'
import { serveHealth } from './health-server.js'
import { warnInsecureSetup } from './insecure-warnings.js'
import { buildLeader, finalStateWrite } from './leader.js'
import type { DaemonMetrics } from './metrics.js'
import type { PollLoop } from './poll-loop.js'

export interface DaemonOptions {
  config: Config
  logger: Logger
  clock?: Clock
  /** One cycle (catching up fully), deliver what is due, fire due timers, then stop. */
  once?: boolean
  /** Sandbox: every alert goes to these actions instead of the rules' own. */
  actionsOverride?: Action[]
  /** Where console alerts go (default stdout). */
  consoleStream?: NodeJS.WritableStream
  /** Bounds for shutdown (default 10 s each) and for --once delivery (default 30 s). */
  stopTimeoutMs?: number
  onceDrainMs?: number
}

export interface DaemonHandle {
  /** Settles when the daemon has stopped: resolves after a clean stop, rejects on a fatal error (bad API key). */
  done: Promise<void>
  /**
   * Stop: abort the fetch in flight, give sends in flight up to `stopTimeoutMs` and then abort them (they stay
   * queued), write the state, release the lock. Idempotent.
   */
  stop(): Promise<void>
  /** Last-resort release of the state lock (crash path). */
  release(): Promise<void>
  /** `http://host:port` of /healthz and /metrics, when the server is on. */
  healthUrl: string | undefined
  metrics: DaemonMetrics
}

/**
 * Start the daemon: lock the state, load rules, wire source -> rules -> state -> notify, serve health, poll.
 * Components are built in dependency order from one context and register their teardown on its lifecycle
 * (lifecycle.ts); shutdown aborts work in flight and unwinds them in reverse, the state closing last.
 */
export async function startDaemon(opts: DaemonOptions): Promise<DaemonHandle> {
  const { config, logger } = opts
  checkConfig(config)
  const once = Boolean(opts.once)
  const stopTimeoutMs = opts.stopTimeoutMs ?? 10_000
  const clock = opts.clock ?? systemClock
  // A PostgreSQL state: a replica that leads or stands by (ha/replica.ts). A state file: always the leader.
  if (isPostgresUrl(config.state)) return startReplica({ ...opts, clock, once, stopTimeoutMs })
  const { ctx, release } = await openContext({ config, logger, clock, once, stopTimeoutMs })
  const { lifecycle } = ctx
  try {
    const server = await serveHealth(ctx)
    // Unwinds after every component that writes the state, and before the health server and the state close.
    lifecycle.add(finalStateWrite(ctx))

    const { loop, worker, ...leader } = await buildLeader(ctx, opts)

    await lifecycle.start()
    leader.logStartLine({ healthUrl: server?.url })
    leader.warnUnroutable()
    await warnInsecureSetup(logger, config)

    const done = run(ctx, loop, worker, opts.onceDrainMs ?? 30_000)
    // Avoid an unhandled rejection before the caller attaches its handler.
    done.catch(() => undefined)
    return {
      done,
      stop: async () => {
        lifecycle.abort()
        await done.catch(() => undefined)
      },
      release,
      healthUrl: server?.url,
      metrics: ctx.metrics,
    }
  } catch (error) {
    await lifecycle.stop()
    await release()
    throw error
  }
}

/**
 * Run until stopped, then shut down. --once: one cycle, deliver what is due (bounded), stop; the cycle's failure,
 * if any, is the result. Otherwise poll until a stop request or a fatal error (SEAM_AUTH), which is the result.
 * A stop request aborts the fetch in flight; the unwinding bounds every wait.
 */
async function run(
  ctx: DaemonContext,
  loop: PollLoop,
  worker: DeliveryWorker,
  drainMs: number,
): Promise<void> {
  let stopping: Promise<void> | undefined
  const shutdown = () => {
    stopping ??= ctx.lifecycle.stop().then(() => ctx.logger.info('seam-alerts stopped'))
    return stopping
  }
  if (ctx.once) {
    const failure = await loop.once().catch((error: unknown) => error)
    await worker.drain(drainMs)
    await shutdown()
    if (failure) throw failure
    return
  }
  try {
    // A component's fatal error (a state lock lost for good: STATE_LOCK_LOST) ends the run like SEAM_AUTH does.
    await Promise.race([loop.start(), whenAborted(ctx.signal), ctx.fatal])
  } finally {
    await shutdown()
  }
}
