import { type NoiseDeps, noiseStage } from '../noise/noise-stage.js'
import { enqueueDecisions } from '../notify/outbox.js'
import { earliestDeadline } from '../rules/absence-timers.js'
import type { Action } from '../rules/action-schema.js'
import type { Decision } from '../rules/decision.js'
import type { RuleState } from '../rules/rule-state.js'
import type { SeamEvent } from '../source/event.js'
import type { EventSource, SourceCheckpoint } from '../source/event-source.js'
import type { State } from '../state/state-schema.js'
import type { StateAccess } from '../state/store.js'
import { acknowledgedStage } from './acknowledged.js'
import type { RuleInfo } from './actions.js'
import type { DaemonContext } from './context.js'
import { collectDigestFire } from './digest.js'
import { evaluateAndRecord, type FailedEvent } from './event-guard.js'
import { noteSkipped, reportFailed } from './skipped-events.js'

/** The parts of the evaluator the cycle uses (rules/evaluator.ts). */
export interface EvaluatorLike {
  evaluate(state: RuleState, event: SeamEvent): Decision[] | Promise<Decision[]>
  fireDue(state: RuleState, until: number, inclusive: boolean): Decision[]
  /** Drop window entries and throttles that can no longer matter. */
  prune?(state: RuleState): void
}

/**
 * The daemon context's part (clock, logger, metrics, "work queued", the shutdown signal; the state as a plain
 * StateAccess) plus what only the cycle uses.
 */
export interface CycleDeps
  extends Pick<DaemonContext, 'clock' | 'logger' | 'metrics' | 'onQueued' | 'signal'> {
  state: StateAccess
  source: Pick<EventSource, 'fetch'>
  evaluator: () => EvaluatorLike
  rule: (id: string) => RuleInfo | undefined
  actionsFor: (rule: RuleInfo) => Action[]
  absenceLatenessMs: number
  /** True when the rule state should be pruned in this cycle (the evaluator's own sweep keys on object identity,
   * which a fresh copy per cycle defeats, so the daemon prunes on its own schedule). */
  pruneDue?: () => boolean
  /** Runs before each cycle's first fetch: puts back a cursor that is ahead of the clock (future-cursor.ts). */
  checkCursor?: () => Promise<unknown>
  /** The noise stage (labels, inhibition, mute times, silences, history); without it every decision passes. */
  noise?: NoiseDeps
}

export interface CycleResult {
  batches: number
  events: number
  decisions: number
  queued: number
}

function checkpointOf(state: State): SourceCheckpoint {
  return structuredClone(state.source) as SourceCheckpoint
}

/**
 * Record the decisions in the draft: per-event alerts into the outbox (their rule's actions), fires of digest
 * rules into state.digests. Returns the number of outbox items added.
 */
function recordDecisions(draft: State, decisions: Decision[], deps: CycleDeps, now: number): number {
  // The one spot the noise stage runs: what it holds back is recorded in the history, not queued.
  const staged = deps.noise ? noiseStage(draft, decisions, deps.noise, now) : undefined
  const noise = deps.noise
  // Acknowledged incidents (issue 13): resolves edit their Slack messages, throttled repeats are held back.
  const pass =
    staged && noise
      ? acknowledgedStage(
          draft,
          decisions,
          staged.pass,
          {
            actionsFor: (id) => noise.actionsFor(id),
            labelsOf: (decision) => staged.labels.get(decision),
            onHeld: (rule) => deps.metrics.acknowledgedHeld.inc({ rule }),
          },
          now,
        )
      : decisions
  const immediate: Decision[] = []
  for (const decision of pass) {
    const rule = deps.rule(decision.rule)
    if (rule?.digest) {
      if (decision.kind === 'fire') collectDigestFire(draft, decision)
    } else immediate.push(decision)
  }
  return enqueueDecisions(
    draft,
    immediate,
    (id) => {
      const rule = deps.rule(id)
      return rule ? { actions: deps.actionsFor(rule) } : undefined
    },
    now,
    staged && ((decision) => staged.labels.get(decision)),
  )
}

function countDecisions(decisions: Decision[], metrics: CycleDeps['metrics']): void {
  for (const d of decisions) {
    metrics.alertsFired.inc({ rule: d.rule, kind: d.kind })
    if (d.suppressed > 0) metrics.alertsSuppressed.inc({ rule: d.rule }, d.suppressed)
  }
}

/** What one handled batch adds to the cycle's result (the batch itself is not kept). */
interface BatchOutcome {
  events: number
  decisions: number
  queued: number
  caughtUp: boolean
}

/**
 * Fetch one batch and, in ONE state update, evaluate its events on the draft's rule state, record the source
 * checkpoint and queue the alerts. The batch is only referenced from this frame, so it is garbage as soon as the
 * update has been saved (a long catch-up never holds two batches).
 */
async function handleBatch(deps: CycleDeps): Promise<BatchOutcome> {
  const started = performance.now()
  const batch = await deps.source.fetch(checkpointOf(deps.state.current()), deps.signal)
  deps.metrics.pollLatency.observe((performance.now() - started) / 1000)
  const events = batch.events.length
  deps.metrics.eventsFetched.inc(events)
  deps.metrics.eventsRejected.inc(batch.rejected.length)

  const evaluator = deps.evaluator()
  let decisions: Decision[] = []
  let failed: FailedEvent[] = []
  const queued = await deps.state.update(async (draft) => {
    // The draft is the update's own copy: evaluating on it needs no second clone of the rule state, and a failed
    // save discards it together with the checkpoint, so the cursor never runs ahead of its consequences. An event
    // whose evaluation or recording throws is skipped with its effects undone (event-guard.ts), never the batch.
    const now = deps.clock.now()
    const record = (into: State, list: Decision[]) => recordDecisions(into, list, deps, now)
    const outcome = await evaluateAndRecord(draft, batch.events, evaluator, record)
    decisions = outcome.decisions
    failed = outcome.failed
    if (evaluator.prune && deps.pruneDue?.()) evaluator.prune(draft.rules)
    draft.source = batch.checkpoint as State['source']
    draft.updatedAt = now
    noteSkipped(draft, batch.rejected, failed, now)
    return outcome.queued
  })
  reportFailed(deps.logger, deps.metrics, failed)
  deps.metrics.eventsEvaluated.inc(events - failed.length)
  countDecisions(decisions, deps.metrics)
  if (queued > 0) deps.onQueued()
  if (events > 0 || decisions.length > 0) {
    deps.logger.debug(
      { events, decisions: decisions.length, queued, cursor: batch.checkpoint.cursor },
      'batch handled',
    )
  }
  return { events, decisions: decisions.length, queued, caughtUp: batch.caughtUp }
}

/**
 * One poll cycle: fetch a batch, then in ONE state update evaluate every event on the draft's rule state and
 * record the source checkpoint and the queued alerts. A failed fetch or save leaves the durable state (and so the
 * cursor) where it was. While the source reports a backlog, fetch again at once, until shutdown (`signal`).
 */
export async function runCycle(deps: CycleDeps): Promise<CycleResult> {
  const result: CycleResult = { batches: 0, events: 0, decisions: 0, queued: 0 }
  await deps.checkCursor?.()
  for (;;) {
    const outcome = await handleBatch(deps)
    result.batches += 1
    result.events += outcome.events
    result.decisions += outcome.decisions
    result.queued += outcome.queued
    if (outcome.caughtUp || deps.signal.aborted) return result
  }
}

/**
 * Fire absence timers that are due: deadline before the wall clock minus the lateness allowance, and never past
 * the cursor minus the allowance (while Seam is unreachable the cancelling event may exist but be unseen).
 * Nothing due (the common case, checked on the durable state without copying it): no state write.
 */
export async function fireDueTimers(deps: CycleDeps): Promise<number> {
  const current = deps.state.current()
  const now = deps.clock.now()
  const cursor = current.source.cursor ? Date.parse(current.source.cursor) : now
  const until = Math.min(now, Number.isNaN(cursor) ? now : cursor) - deps.absenceLatenessMs
  if (earliestDeadline(current.rules) > until) return 0
  let decisions: Decision[] = []
  const queued = await deps.state.update((draft) => {
    decisions = deps.evaluator().fireDue(draft.rules, until, true)
    draft.updatedAt = now
    return recordDecisions(draft, decisions, deps, now)
  })
  countDecisions(decisions, deps.metrics)
  if (queued > 0) deps.onQueued()
  return decisions.length
}
