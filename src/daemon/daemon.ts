import { whenAborted } from '../abort.js'
import { type Clock, systemClock } from '../clock.js'
import type { Config } from '../config.js'
import type { Logger } from '../log.js'
import type { DeliveryWorker } from '../notify/delivery-worker.js'
import type { Action } from '../rules/action-schema.js'
import { Evaluator } from '../rules/evaluator.js'
import { ApiEventSource } from '../source/api-event-source.js'
import { SeamClient } from '../source/seam-client.js'
import { ActionPolicy, type RuleInfo } from './actions.js'
import { describeChannels } from './channel-summary.js'
import { clampedEventReporter } from './clamped-events.js'
import { conditionErrorReporter } from './condition-errors.js'
import { checkConfig } from './config-check.js'
import { type DaemonContext, openContext } from './context.js'
import { startDelivery } from './delivery.js'
import { scheduleDigests } from './digest-scheduler.js'
import { serveHealth } from './health-server.js'
import { heartbeat } from './heartbeat.js'
import { housekeeping } from './housekeeping.js'
import { warnInsecureSetup } from './insecure-warnings.js'
import type { DaemonMetrics } from './metrics.js'
import type { PollLoop } from './poll-loop.js'
import { startPolling } from './polling.js'
import { RuleReload } from './rule-reload.js'
import { slackActions } from './slack-actions/slack-actions.js'
import { logStartLine, warnUnroutable } from './start-line.js'

/**
 * Largest window one fetch may read while catching up (the source aims at half of it per batch). Each batch is
 * evaluated and saved with its cursor in one state write, so this bounds the events held in memory at once:
 * 10k keeps a 1M-event catch-up's heap small at ~25% more /events/list calls than the source's 20k default
 * (5k halves the batch again but doubles the calls, each window re-reading the lookback). Steady-state polls read
 * far fewer events per window, so they are unaffected.
 */
const CATCHUP_SLICE_EVENTS = 10_000

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
  const { ctx, release } = await openContext({ config, logger, clock, once, stopTimeoutMs })
  const { lifecycle } = ctx
  try {
    const server = await serveHealth(ctx)
    // Unwinds after every component that writes the state, and before the health server and the state close.
    lifecycle.add({ name: 'final state write', stop: () => writeFinalState(ctx) })

    const rules = await RuleReload.start(ctx)
    const evaluator = new Evaluator(rules.current, conditionErrorReporter(ctx), {
      occurredAtSkewMs: config.limits.occurredAtSkew,
      onClamped: clampedEventReporter({ ...ctx, skewMs: config.limits.occurredAtSkew }),
      firstSeenMax: config.limits.firstSeenMax,
      onFirstSeenEvicted: (rule, evicted) => ctx.metrics.firstSeenEvicted.inc({ rule }, evicted),
    })
    const client = new SeamClient({
      endpoint: config.seam.endpoint,
      apiKey: config.seam.apiKey ?? '',
      requestTimeoutMs: config.seam.requestTimeout,
      logger,
    })
    const source = new ApiEventSource({
      client,
      clock,
      logger,
      lookbackMs: config.seam.lookback,
      pageSize: config.seam.pageSize,
      startFrom: config.seam.startFrom,
      eventTypes: rules.current.apiEventTypes(),
      maxSliceEvents: CATCHUP_SLICE_EVENTS,
      limits: { maxDepth: config.limits.eventMaxDepth, maxBytes: config.limits.eventMaxBytes },
    })
    const policy = new ActionPolicy({
      console: config.console,
      monitorActions: config.monitor.actions,
      ...(opts.actionsOverride ? { override: opts.actionsOverride } : {}),
    })
    const { worker, notifiers } = startDelivery(ctx, {
      rules,
      policy,
      lookupDevice: (id) => client.getDevice(id),
      ...(opts.consoleStream ? { consoleStream: opts.consoleStream } : {}),
    })
    const digests = scheduleDigests(ctx, { rules, policy })
    slackActions(ctx, { rules, policy })
    if (!once) lifecycle.add(housekeeping(ctx))
    lifecycle.add(heartbeat(ctx))
    const unroutable = (enabled: readonly RuleInfo[]) => warnUnroutable(logger, enabled, policy, notifiers)
    rules.connect({ source, evaluator, digests, warnUnroutable: unroutable })
    const loop = startPolling(ctx, { source, evaluator, rules, policy })

    await lifecycle.start()
    const enabled = rules.enabled()
    logStartLine(logger, {
      config,
      rules: enabled,
      disabled: rules.current.rules.filter((rule) => !rule.enabled).map((rule) => rule.id),
      cursor: ctx.state.current().source.cursor,
      now: clock.now(),
      channels: describeChannels(config, policy.types(enabled).has('console'), [
        ...policy.forMonitor(),
        ...enabled.flatMap((rule) => policy.forRule(rule)),
      ]),
      healthUrl: server?.url,
      digests: digests?.scheduled() ?? [],
      once,
    })
    unroutable(enabled)
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

/** Stamp the state once more after everything that writes to it has stopped (before it closes). */
function writeFinalState(ctx: DaemonContext): Promise<void> {
  return ctx.state
    .update((draft) => {
      draft.updatedAt = ctx.clock.now()
    })
    .catch((error: unknown) => ctx.logger.error({ err: error }, 'final state write failed'))
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
