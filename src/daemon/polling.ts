import { SeamAlertsError } from '../errors.js'
import type { EventSource } from '../source/event-source.js'
import type { ActionPolicy } from './actions.js'
import type { DaemonContext } from './context.js'
import { type CycleDeps, type EvaluatorLike, fireDueTimers, runCycle } from './cycle.js'
import { gaugeRefresher } from './daemon-state.js'
import { correctFutureCursor } from './future-cursor.js'
import { bounded } from './lifecycle.js'
import { noiseDeps, summariseEnded } from './noise.js'
import { PollLoop } from './poll-loop.js'
import type { RuleReload } from './rule-reload.js'
import { SelfMonitor } from './self-monitor.js'

const notLeader = () =>
  new SeamAlertsError('ABORTED', 'not polling: this replica no longer holds a valid leader lease')

/** How often the rule state (old window entries, expired throttles) is pruned. */
const PRUNE_EVERY_MS = 5 * 60_000

/**
 * The poll loop as a component. Each attempt puts a pending rule reload into effect, runs one cycle (catching up),
 * then fires due absence timers even when the cycle failed; after every attempt the gauges are refreshed and the
 * self-monitor samples Seam's health and the cursor lag. At shutdown the fetch in flight is aborted (`ctx.signal`)
 * and the loop's end is awaited at most `stopTimeoutMs`. The caller starts it (`start()` or, with --once, `once()`).
 */
export function startPolling(
  ctx: DaemonContext,
  parts: { source: EventSource; evaluator: EvaluatorLike; rules: RuleReload; policy: ActionPolicy },
): PollLoop {
  const { config, state, clock, health, metrics } = ctx
  let lastPrune = clock.now()
  const noise = noiseDeps(ctx, parts)
  const deps: CycleDeps = {
    ...ctx,
    source: parts.source,
    evaluator: () => parts.evaluator,
    rule: (id) => parts.rules.get(id),
    actionsFor: (rule) => parts.policy.forRule(rule),
    absenceLatenessMs: config.absenceLateness,
    // A cursor ahead of the clock (a clock jump, a future time in the state) is put back before each poll.
    checkCursor: () =>
      correctFutureCursor({
        ...ctx,
        lookbackMs: config.seam.lookback,
        startFrom: config.seam.startFrom,
        monitorActions: () => parts.policy.forMonitor(),
      }),
    pruneDue: () => {
      const now = clock.now()
      if (now - lastPrune < PRUNE_EVERY_MS) return false
      lastPrune = now
      return true
    },
    noise,
  }
  const monitor = new SelfMonitor({
    ...ctx,
    monitor: config.monitor,
    actions: () => parts.policy.forMonitor(),
  })
  const refreshGauges = gaugeRefresher(ctx)
  const loop = new PollLoop({
    intervalMs: config.seam.pollInterval,
    health,
    logger: ctx.logger,
    onFailure: () => metrics.pollFailures.inc(),
    cycle: async () => {
      // A replica checks its lease right before each cycle (a failed check steps it down: see ha/leadership.ts).
      if (ctx.leader && !ctx.leader.mayAct()) throw notLeader()
      await parts.rules.apply()
      try {
        await runCycle(deps)
        health.polled(state.current().source.cursor)
      } finally {
        // Timers fire even while Seam fails, but never past the durable cursor (see fireDueTimers).
        await fireDueTimers(deps)
      }
    },
    afterCycle: async () => {
      await summariseEnded(ctx, noise)
      refreshGauges()
      await monitor.check({
        seamFailingSince: health.failingSince('seam'),
        seamReason: health.reason('seam'),
        cursor: state.current().source.cursor,
      })
    },
  })
  ctx.lifecycle.add({ name: 'poll loop', stop: () => bounded(loop.stop(), ctx.stopTimeoutMs) })
  return loop
}
