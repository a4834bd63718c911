import { type Clock, systemClock } from '../clock.js'
import type { Config } from '../config.js'
import type { Logger } from '../log.js'
import type { Action } from '../rules/action-schema.js'
import { Evaluator } from '../rules/evaluator.js'
import type { RuleSet } from '../rules/rule-set.js'
import { RuleWatcher } from '../rules/rule-watcher.js'
import { ApiEventSource } from '../source/api-event-source.js'
import { SeamClient } from '../source/seam-client.js'
import { ActionPolicy } from './actions.js'
import { describeChannels } from './channel-summary.js'
import { clampedEventReporter } from './clamped-events.js'
import { conditionErrorReporter } from './condition-errors.js'
import { checkConfig } from './config-check.js'
import { type CycleDeps, fireDueTimers, runCycle } from './cycle.js'
import { gaugeRefresher, openDaemonState } from './daemon-state.js'
import { buildDelivery } from './delivery.js'
import { DigestScheduler } from './digest-scheduler.js'
import { correctFutureCursor } from './future-cursor.js'
import { HealthTracker } from './health.js'
import { startHealthServer } from './health-server.js'
import { scheduleHousekeeping } from './housekeeping.js'
import { DaemonMetrics } from './metrics.js'
import { PollLoop } from './poll-loop.js'
import { SelfMonitor } from './self-monitor.js'
import { logRuleIssues, logStartLine, warnUnroutable } from './start-line.js'

/** The rules that run (a rule file may say `"enabled": false`). */
const enabled = (ruleSet: RuleSet) => ruleSet.rules.filter((rule) => rule.enabled)

/** How often the rule state (old window entries, expired throttles) is pruned. */
const PRUNE_EVERY_MS = 5 * 60_000

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
  /** Stop polling, finish or keep in-flight sends (bounded), write state, release the lock. Idempotent. */
  stop(): Promise<void>
  /** Last-resort release of the state lock (crash path). */
  release(): Promise<void>
  /** `http://host:port` of /healthz and /metrics, when the server is on. */
  healthUrl: string | undefined
  metrics: DaemonMetrics
}

/** Start the daemon: lock the state, load rules, wire source -> rules -> state -> notify, serve health, poll. */
export async function startDaemon(opts: DaemonOptions): Promise<DaemonHandle> {
  const { config, logger } = opts
  const clock = opts.clock ?? systemClock
  const stopTimeout = opts.stopTimeoutMs ?? 10_000
  checkConfig(config)
  const metrics = new DaemonMetrics()
  const health = new HealthTracker(clock)

  const { state, release } = await openDaemonState({ file: config.state, logger, metrics, health })

  try {
    // Rules: the last good version of a broken file keeps running; reloads apply between cycles.
    let ruleSet: RuleSet
    let pendingRuleSet: RuleSet | undefined
    const digests = new DigestScheduler({
      state,
      clock,
      logger,
      timezone: config.timezone,
      rule: (id) => ruleSet.get(id),
      actionsFor: (rule) => policy.forRule(rule),
      onQueued: () => worker.kick(),
    })
    const watcher = new RuleWatcher({
      dir: config.rules,
      logger,
      onChange: (next, issues) => {
        logRuleIssues(logger, issues)
        pendingRuleSet = next
        source.setEventTypes(next.apiEventTypes())
        const ids = enabled(next).map((rule) => rule.id)
        logger.info({ rules: ids }, `rules reloaded: ${ids.length} rules`)
      },
    })
    const loaded = await watcher.start()
    ruleSet = loaded.ruleSet
    logRuleIssues(logger, loaded.issues)
    const evaluator = new Evaluator(ruleSet, conditionErrorReporter({ logger, clock, metrics }), {
      occurredAtSkewMs: config.limits.occurredAtSkew,
      onClamped: clampedEventReporter({ logger, clock, metrics, skewMs: config.limits.occurredAtSkew }),
    })

    const client = new SeamClient({
      endpoint: config.seam.endpoint,
      apiKey: config.seam.apiKey ?? '',
      requestTimeoutMs: config.seam.requestTimeout,
      logger,
    })
    const source = new ApiEventSource({
      client,
      lookbackMs: config.seam.lookback,
      pageSize: config.seam.pageSize,
      startFrom: config.seam.startFrom,
      clock,
      logger,
      eventTypes: ruleSet.apiEventTypes(),
      maxSliceEvents: CATCHUP_SLICE_EVENTS,
      limits: { maxDepth: config.limits.eventMaxDepth, maxBytes: config.limits.eventMaxBytes },
    })

    const policy = new ActionPolicy({
      console: config.console,
      monitorActions: config.monitor.actions,
      ...(opts.actionsOverride ? { override: opts.actionsOverride } : {}),
    })
    const { worker, notifiers } = buildDelivery({
      config,
      state,
      rules: () => ruleSet,
      policy,
      lookupDevice: (id) => client.getDevice(id),
      clock,
      logger,
      metrics,
      ...(opts.consoleStream ? { consoleStream: opts.consoleStream } : {}),
    })

    let loop: PollLoop
    let lastPrune = clock.now()
    const deps: CycleDeps = {
      source,
      evaluator: () => evaluator,
      state,
      rule: (id) => ruleSet.get(id),
      actionsFor: (rule) => policy.forRule(rule),
      clock,
      logger,
      metrics,
      absenceLatenessMs: config.absenceLateness,
      onQueued: () => worker.kick(),
      stopping: () => loop.stopping,
      pruneDue: () => {
        const now = clock.now()
        if (now - lastPrune < PRUNE_EVERY_MS) return false
        lastPrune = now
        return true
      },
      checkCursor: () =>
        correctFutureCursor({
          state,
          clock,
          logger,
          lookbackMs: config.seam.lookback,
          startFrom: config.seam.startFrom,
          monitorActions: () => policy.forMonitor(),
          onQueued: () => worker.kick(),
        }),
    }
    const monitor = new SelfMonitor({
      state,
      clock,
      logger,
      monitor: config.monitor,
      actions: () => policy.forMonitor(),
      onQueued: () => worker.kick(),
    })
    const refreshGauges = gaugeRefresher({ state, metrics, health, clock })
    loop = new PollLoop({
      intervalMs: config.seam.pollInterval,
      health,
      logger,
      onFailure: () => metrics.pollFailures.inc(),
      cycle: async () => {
        if (pendingRuleSet) {
          const next = pendingRuleSet
          pendingRuleSet = undefined
          ruleSet = next
          await state.update((draft) => evaluator.setRuleSet(next, draft.rules))
          if (!opts.once) digests.reschedule(enabled(next))
          warnUnroutable(logger, enabled(next), policy, notifiers)
        }
        try {
          await runCycle(deps)
          health.polled(state.current().source.cursor)
        } finally {
          // Timers fire even while Seam fails, but never past the durable cursor (see fireDueTimers).
          await fireDueTimers(deps)
        }
      },
      afterCycle: async () => {
        refreshGauges()
        await monitor.check({
          seamFailingSince: health.failingSince('seam'),
          seamReason: health.reason('seam'),
          cursor: state.current().source.cursor,
        })
      },
    })

    const server =
      config.server === false
        ? undefined
        : await startHealthServer({ ...config.server, health, metrics, logger, beforeScrape: refreshGauges })

    let stopHousekeeping: (() => void) | undefined
    if (!opts.once) {
      worker.start()
      digests.reschedule(enabled(ruleSet))
      stopHousekeeping = scheduleHousekeeping({ state, clock, logger, config, onQueued: () => worker.kick() })
    }
    const consoleOn = policy.types(enabled(ruleSet)).has('console')
    logStartLine(logger, {
      config,
      rules: enabled(ruleSet),
      disabled: ruleSet.rules.filter((rule) => !rule.enabled).map((rule) => rule.id),
      cursor: state.current().source.cursor,
      now: clock.now(),
      channels: describeChannels(config, consoleOn, [
        ...policy.forMonitor(),
        ...enabled(ruleSet).flatMap((rule) => policy.forRule(rule)),
      ]),
      healthUrl: server?.url,
      digests: digests.scheduled(),
      once: Boolean(opts.once),
    })
    warnUnroutable(logger, enabled(ruleSet), policy, notifiers)

    let stopping: Promise<void> | undefined
    const shutdown = (): Promise<void> => {
      stopping ??= (async () => {
        const bounded = (p: Promise<unknown>) =>
          Promise.race([p, new Promise((resolve) => setTimeout(resolve, stopTimeout).unref())])
        await bounded(loop.stop())
        watcher.stop()
        digests.stop()
        stopHousekeeping?.()
        await worker.stop(stopTimeout)
        await state
          .update((draft) => {
            draft.updatedAt = clock.now()
          })
          .catch((error: unknown) => logger.error({ err: error }, 'final state write failed'))
        await server?.close()
        await state
          .close()
          .catch((error: unknown) => logger.error({ err: error }, 'closing the state failed'))
        logger.info('seam-alerts stopped')
      })()
      return stopping
    }

    let requestStop: () => void = () => {}
    const stopRequested = new Promise<void>((resolve) => {
      requestStop = resolve
    })
    const done = (async () => {
      if (opts.once) {
        let failure: unknown
        try {
          failure = await loop.once()
        } catch (error) {
          failure = error
        }
        await worker.drain(opts.onceDrainMs ?? 30_000)
        await shutdown()
        if (failure) throw failure
        return
      }
      try {
        // A stop request does not wait for a cycle stuck in a slow fetch: shutdown() bounds that wait.
        await Promise.race([loop.start(), stopRequested])
      } catch (error) {
        // Fatal (SEAM_AUTH): stop everything, then report.
        await shutdown()
        throw error
      }
      await shutdown()
    })()
    // Avoid an unhandled rejection before the caller attaches its handler.
    done.catch(() => undefined)

    return {
      done,
      stop: async () => {
        void loop.stop()
        requestStop()
        await done.catch(() => undefined)
      },
      release,
      healthUrl: server?.url,
      metrics,
    }
  } catch (error) {
    await release()
    throw error
  }
}
