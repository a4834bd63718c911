import type { Clock } from '../clock.js'
import type { Logger } from '../log.js'
import { enqueueDecisions } from '../notify/outbox.js'
import type { Action } from '../rules/action-schema.js'
import type { Decision } from '../rules/decision.js'
import type { RuleState } from '../rules/rule-state.js'
import type { SeamEvent } from '../source/event.js'
import type { EventBatch, SourceCheckpoint } from '../source/event-source.js'
import type { State } from '../state/state-schema.js'
import type { StateAccess } from '../state/store.js'
import type { RuleInfo } from './actions.js'
import { collectDigestFire } from './digest.js'
import type { DaemonMetrics } from './metrics.js'

/** The parts of the evaluator the cycle uses (rules/evaluator.ts). */
export interface EvaluatorLike {
  evaluate(state: RuleState, event: SeamEvent): Decision[] | Promise<Decision[]>
  fireDue(state: RuleState, until: number, inclusive: boolean): Decision[]
  /** Drop window entries and throttles that can no longer matter. */
  prune?(state: RuleState): void
}

export interface CycleDeps {
  source: { fetch(checkpoint: SourceCheckpoint): Promise<EventBatch> }
  evaluator: () => EvaluatorLike
  state: StateAccess
  rule: (id: string) => RuleInfo | undefined
  actionsFor: (rule: RuleInfo) => Action[]
  clock: Clock
  logger: Logger
  metrics: DaemonMetrics
  absenceLatenessMs: number
  /** Called after alerts were queued (wakes the delivery worker). */
  onQueued: () => void
  /** Stop catching up (shutdown requested). */
  stopping: () => boolean
  /** True when the rule state should be pruned in this cycle (the evaluator's own sweep keys on object identity,
   * which a fresh copy per cycle defeats, so the daemon prunes on its own schedule). */
  pruneDue?: () => boolean
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
  const immediate: Decision[] = []
  for (const decision of decisions) {
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
  )
}

function countDecisions(decisions: Decision[], metrics: DaemonMetrics): void {
  for (const d of decisions) {
    metrics.alertsFired.inc({ rule: d.rule, kind: d.kind })
    if (d.suppressed > 0) metrics.alertsSuppressed.inc({ rule: d.rule }, d.suppressed)
  }
}

/**
 * One poll cycle: fetch a batch, evaluate every event on a copy of the rule state, then in ONE state update
 * adopt that rule state, the source checkpoint and the queued alerts. A failed fetch or save leaves the durable
 * state (and so the cursor) where it was. While the source reports a backlog, fetch again at once.
 */
export async function runCycle(deps: CycleDeps): Promise<CycleResult> {
  const result: CycleResult = { batches: 0, events: 0, decisions: 0, queued: 0 }
  for (;;) {
    const started = performance.now()
    const batch = await deps.source.fetch(checkpointOf(deps.state.current()))
    deps.metrics.pollLatency.observe((performance.now() - started) / 1000)
    deps.metrics.eventsFetched.inc(batch.events.length)
    deps.metrics.eventsRejected.inc(batch.rejected.length)

    const evaluator = deps.evaluator()
    const rules = structuredClone(deps.state.current().rules)
    const decisions: Decision[] = []
    for (const event of batch.events) {
      const out = evaluator.evaluate(rules, event)
      decisions.push(...(out instanceof Promise ? await out : out))
    }
    if (evaluator.prune && deps.pruneDue?.()) evaluator.prune(rules)
    const now = deps.clock.now()
    const queued = await deps.state.update((draft) => {
      draft.rules = rules
      draft.source = batch.checkpoint as State['source']
      draft.updatedAt = now
      return recordDecisions(draft, decisions, deps, now)
    })
    deps.metrics.eventsEvaluated.inc(batch.events.length)
    countDecisions(decisions, deps.metrics)
    result.batches += 1
    result.events += batch.events.length
    result.decisions += decisions.length
    result.queued += queued
    if (queued > 0) deps.onQueued()
    if (batch.events.length > 0 || decisions.length > 0) {
      deps.logger.debug(
        { events: batch.events.length, decisions: decisions.length, queued, cursor: batch.checkpoint.cursor },
        'batch handled',
      )
    }
    if (batch.caughtUp || deps.stopping()) return result
  }
}

/**
 * Fire absence timers that are due: deadline before the wall clock minus the lateness allowance, and never past
 * the cursor minus the allowance (while Seam is unreachable the cancelling event may exist but be unseen).
 */
export async function fireDueTimers(deps: CycleDeps): Promise<number> {
  const current = deps.state.current()
  const now = deps.clock.now()
  const cursor = current.source.cursor ? Date.parse(current.source.cursor) : now
  const until = Math.min(now, Number.isNaN(cursor) ? now : cursor) - deps.absenceLatenessMs
  const rules = structuredClone(current.rules)
  const decisions = deps.evaluator().fireDue(rules, until, true)
  if (decisions.length === 0) return 0
  const queued = await deps.state.update((draft) => {
    draft.rules = rules
    draft.updatedAt = now
    return recordDecisions(draft, decisions, deps, now)
  })
  countDecisions(decisions, deps.metrics)
  if (queued > 0) deps.onQueued()
  return decisions.length
}
