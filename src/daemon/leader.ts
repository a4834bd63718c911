import type { DeliveryWorker } from '../notify/delivery-worker.js'
import type { Action } from '../rules/action-schema.js'
import { Evaluator } from '../rules/evaluator.js'
import { ApiEventSource } from '../source/api-event-source.js'
import { SeamClient } from '../source/seam-client.js'
import { ActionPolicy, type RuleInfo } from './actions.js'
import { describeChannels } from './channel-summary.js'
import { clampedEventReporter } from './clamped-events.js'
import { conditionErrorReporter } from './condition-errors.js'
import type { DaemonContext } from './context.js'
import { startDelivery } from './delivery.js'
import { scheduleDigests } from './digest-scheduler.js'
import { heartbeat } from './heartbeat.js'
import { housekeeping } from './housekeeping.js'
import type { Component } from './lifecycle.js'
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

export interface LeaderOptions {
  /** Sandbox: every alert goes to these actions instead of the rules' own. */
  actionsOverride?: Action[]
  /** Where console alerts go (default stdout). */
  consoleStream?: NodeJS.WritableStream
}

/** The leader's running parts, built by `buildLeader` and started by the context's lifecycle. */
export interface Leader {
  loop: PollLoop
  worker: DeliveryWorker
  /** Log the start line (call once the lifecycle has started). */
  logStartLine(extra: { healthUrl: string | undefined; role?: 'leader'; promoted?: boolean }): void
  /** Warn about rules whose channels are not configured. */
  warnUnroutable(): void
}

/**
 * Everything a leader runs, from the rules on: rules (watched), evaluator, Seam source, delivery, digests,
 * housekeeping, heartbeat and the poll loop, each registered on `ctx.lifecycle` in dependency order. A daemon on a
 * state file builds this once; a replica on PostgreSQL builds it for every term it leads (ha/term.ts).
 */
export async function buildLeader(ctx: DaemonContext, opts: LeaderOptions): Promise<Leader> {
  const { config, logger, clock, lifecycle, once } = ctx
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
  // Clicks change the state: only the leader takes them (a standby has no connection; Slack sends to live ones).
  slackActions(ctx, { rules, policy })
  if (!once) lifecycle.add(housekeeping(ctx))
  lifecycle.add(heartbeat(ctx))
  const unroutable = (enabled: readonly RuleInfo[]) => warnUnroutable(logger, enabled, policy, notifiers)
  rules.connect({ source, evaluator, digests, warnUnroutable: unroutable })
  const loop = startPolling(ctx, { source, evaluator, rules, policy })
  return {
    loop,
    worker,
    logStartLine: (extra) => {
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
        healthUrl: extra.healthUrl,
        digests: digests?.scheduled() ?? [],
        once,
        ...(extra.role ? { role: extra.role } : {}),
        ...(extra.promoted ? { promoted: true } : {}),
      })
    },
    warnUnroutable: () => unroutable(rules.enabled()),
  }
}

/**
 * Stamp the state once more after everything that writes to it has stopped (register it before them, so it
 * unwinds after them). A leader term that lost its lease skips it: the write would be fenced.
 */
export function finalStateWrite(ctx: DaemonContext): Component {
  return {
    name: 'final state write',
    stop: async () => {
      if (ctx.leader && !ctx.leader.mayAct()) return
      await ctx.state
        .update((draft) => {
          draft.updatedAt = ctx.clock.now()
        })
        .catch((error: unknown) => ctx.logger.error({ err: error }, 'final state write failed'))
    },
  }
}
