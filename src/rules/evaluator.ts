import type { SeamEvent } from '../source/event.js'
import { cancelTimer, openTimer, takeDueTimers } from './absence-timers.js'
import type { CompiledRule, Matcher } from './compiled-rule.js'
import type { Decision } from './decision.js'
import { fire, resolve } from './fire.js'
import { DEFAULT_FIRST_SEEN_MAX, type FirstSeenEvicted, firstSeenStep, sameFields } from './first-seen.js'
import { groupKey, groupObject } from './group.js'
import type { Candidate, RuleSet } from './rule-set.js'
import type { RuleState } from './rule-state.js'
import { type ClampedEventHandler, DEFAULT_OCCURRED_AT_SKEW_MS, ruleTimeOf } from './rule-time.js'
import { spikeStep } from './spike-step.js'
import { pruneState, reconcileState } from './state-prune.js'
import { windowStep } from './window-step.js'

/** Shared empty result (frozen: callers only read decisions). */
const NO_DECISIONS = Object.freeze([]) as unknown as Decision[]

/** How often (in event time) old window entries and expired throttles are swept from state. */
const SWEEP_EVERY_MS = 10 * 60_000

/** Told of a rule condition that threw on an event (the rule counts as not matching it). */
export type ConditionErrorHandler = (ruleId: string, event: SeamEvent, error: unknown) => void

export interface EvaluatorOptions {
  /** `limits.occurredAtSkew`: an occurred_at further ahead of created_at is replaced by created_at (see rule-time.ts). */
  occurredAtSkewMs?: number
  /** Told of each event whose rule time was clamped so, when it reaches a rule (events no rule looks at are not). */
  onClamped?: ClampedEventHandler
  /** `limits.firstSeenMax`: tuples remembered per first-seen rule (default 100,000); the oldest are evicted. */
  firstSeenMax?: number
  /** Told of tuples a first-seen rule evicted at that cap (the daemon counts them in a metric). */
  onFirstSeenEvicted?: FirstSeenEvicted
}

/**
 * Applies rules to events. All memory lives in the RuleState passed in (plain JSON, persisted by the daemon);
 * calls on one state must not overlap (await an async evaluate before the next call).
 *
 * Before a state object is first read or changed (evaluate of an event some rule can match, fireDue, prune) it is
 * reconciled with the rule set through the fingerprints it carries (see reconcileState), so a rule changed or
 * removed while the daemon was down is treated exactly like one changed or removed by a hot reload.
 */
export class Evaluator {
  private ruleSet: RuleSet
  /** The state last swept and its clock then (the sweep runs every SWEEP_EVERY_MS of event time). */
  private sweptState: RuleState | undefined
  private sweptAt = 0
  /** The state object last reconciled with this.ruleSet (a fresh object, e.g. a per-cycle copy, is checked again). */
  private reconciled: RuleState | undefined
  private readonly scratch: Decision[] = []
  /** Condition evaluations that threw (the rule is treated as not matching that event). */
  conditionErrors = 0
  private readonly occurredAtSkewMs: number
  /** Set by `advance`: was the last event's rule time clamped to its created_at? */
  private clamped = false
  private readonly markClamped: ClampedEventHandler

  /** Tuples first-seen rules evicted at `firstSeenMax`. */
  firstSeenEvicted = 0
  private readonly firstSeenMax: number

  /** `onConditionError` hears of every condition that threw (the daemon logs and counts them per rule). */
  constructor(
    ruleSet: RuleSet,
    private readonly onConditionError?: ConditionErrorHandler,
    private readonly options: EvaluatorOptions = {},
  ) {
    this.ruleSet = ruleSet
    this.firstSeenMax = options.firstSeenMax ?? DEFAULT_FIRST_SEEN_MAX
    this.occurredAtSkewMs = options.occurredAtSkewMs ?? DEFAULT_OCCURRED_AT_SKEW_MS
    const onClamped = options.onClamped
    this.markClamped = (event, occurredAt, createdAt) => {
      this.clamped = true
      onClamped?.(event, occurredAt, createdAt)
    }
  }

  private readonly evicted: FirstSeenEvicted = (ruleId, evicted) => {
    this.firstSeenEvicted += evicted
    this.options.onFirstSeenEvicted?.(ruleId, evicted)
  }

  /** The time the rules use for `event`: its occurred_at, or created_at when occurred_at is too far ahead of it. */
  ruleTime(event: SeamEvent): number {
    return ruleTimeOf(event, this.occurredAtSkewMs)
  }

  private conditionFailed(ruleId: string, event: SeamEvent, error: unknown): void {
    this.conditionErrors++
    this.onConditionError?.(ruleId, event, error)
  }

  get rules(): RuleSet {
    return this.ruleSet
  }

  /**
   * Hot reload: state of removed (or disabled) rules is dropped; a changed rule starts fresh windows and timers and
   * keeps its throttles and open incidents while it still has a throttle / resolve; an unchanged rule keeps all.
   * The state is first brought in line with the current rule set, so the change is judged against the version
   * that state was built with (also when it was loaded from a file written by an earlier run).
   */
  setRuleSet(ruleSet: RuleSet, state: RuleState): void {
    this.reconcile(state)
    this.ruleSet = ruleSet
    reconcileState(state, ruleSet)
    this.reconciled = state
  }

  /**
   * Bring a state in line with the current rule set now (evaluate, fireDue and prune do it on their own before they
   * touch a state object they have not seen): e.g. at daemon start, so the saved state is tidy before any event.
   * Returns true when some rule state was dropped.
   */
  reconcile(state: RuleState): boolean {
    const dropped = reconcileState(state, this.ruleSet)
    this.reconciled = state
    return dropped
  }

  private ensureReconciled(state: RuleState): void {
    if (state !== this.reconciled) this.reconcile(state)
  }

  /**
   * Evaluate one event (mutates state). Synchronous unless some matching rule needs json-rules-engine itself.
   * Events no rule's conditions accept cost only the type lookup and the predicates.
   */
  evaluate(state: RuleState, event: SeamEvent): Decision[] | Promise<Decision[]> {
    const route = this.ruleSet.route(event.event_type)
    const candidates = route.candidates
    if (candidates.length === 0) return NO_DECISIONS
    if (!route.sync) return this.evaluateAsync(state, event, candidates)
    const decisions = this.scratch
    if (decisions.length > 0) decisions.length = 0
    let at = Number.NaN
    let atText: string | undefined
    for (let i = 0; i < candidates.length; i++) {
      const candidate = candidates[i]!
      let fires = false
      const test = candidate.triggerTest
      if (test !== null) {
        try {
          fires = test(event)
        } catch (error) {
          this.conditionFailed(candidate.compiled.rule.id, event, error)
        }
      }
      let cancels = false
      let resolves = false
      if (candidate.other) {
        const { cancel, resolve } = candidate.compiled
        const id = candidate.compiled.rule.id
        cancels = candidate.cancel && cancel !== null && this.testSync(cancel, event, id)
        resolves = candidate.resolve && resolve !== null && this.testSync(resolve, event, id)
      }
      if (!fires && !cancels && !resolves) continue
      if (Number.isNaN(at)) {
        at = this.advance(state, event)
        atText = this.clamped ? undefined : event.occurred_at
      }
      this.apply(state, candidate.compiled, event, at, atText, fires, cancels, resolves, decisions)
    }
    return decisions.length === 0 ? NO_DECISIONS : decisions.splice(0)
  }

  /** Fire absence timers whose deadline is before `until` (or at it when inclusive), in deadline order. */
  fireDue(state: RuleState, until: number, inclusive: boolean): Decision[] {
    this.ensureReconciled(state)
    const due = takeDueTimers(state, until, inclusive)
    if (due.length === 0) return NO_DECISIONS
    const order = (ruleId: string) => this.ruleSet.getCompiled(ruleId)?.order ?? -1
    due.sort(
      (a, b) =>
        a.timer.deadline - b.timer.deadline ||
        order(a.ruleId) - order(b.ruleId) ||
        (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
    )
    const decisions: Decision[] = []
    for (const { ruleId, key, timer } of due) {
      const compiled = this.ruleSet.getCompiled(ruleId)
      if (!compiled?.rule.absence) continue
      const event = timer.event as SeamEvent
      const decision = fire(state, compiled, key, timer.group, event, timer.deadline, undefined, 1)
      if (decision) decisions.push(decision)
    }
    return decisions
  }

  /** Drop window entries and throttles that can no longer matter. */
  prune(state: RuleState): void {
    this.ensureReconciled(state)
    pruneState(state, this.ruleSet)
    this.sweptState = state
    this.sweptAt = state.clock
  }

  private maybeSweep(state: RuleState): void {
    if (state === this.sweptState) this.prune(state)
    else {
      this.sweptState = state
      this.sweptAt = state.clock
    }
  }

  private async evaluateAsync(state: RuleState, event: SeamEvent, candidates: readonly Candidate[]) {
    const decisions: Decision[] = []
    let at = Number.NaN
    let atText: string | undefined
    for (const candidate of candidates) {
      const { trigger, cancel, resolve } = candidate.compiled
      const id = candidate.compiled.rule.id
      const fires = candidate.trigger && (await this.test(trigger, event, id))
      const cancels = candidate.cancel && cancel !== null && (await this.test(cancel, event, id))
      const resolves = candidate.resolve && resolve !== null && (await this.test(resolve, event, id))
      if (!fires && !cancels && !resolves) continue
      if (Number.isNaN(at)) {
        at = this.advance(state, event)
        atText = this.clamped ? undefined : event.occurred_at
      }
      this.apply(state, candidate.compiled, event, at, atText, fires, cancels, resolves, decisions)
    }
    return decisions
  }

  /** The rule time of an event that touches some rule; advances the state clock and sweeps now and then. */
  private advance(state: RuleState, event: SeamEvent): number {
    this.ensureReconciled(state)
    this.clamped = false
    const at = ruleTimeOf(event, this.occurredAtSkewMs, this.markClamped)
    if (at > state.clock) state.clock = at
    if (state !== this.sweptState || state.clock - this.sweptAt >= SWEEP_EVERY_MS) this.maybeSweep(state)
    return at
  }

  private testSync(matcher: Matcher, event: SeamEvent, ruleId: string): boolean {
    try {
      return matcher.sync!(event)
    } catch (error) {
      this.conditionFailed(ruleId, event, error)
      return false
    }
  }

  private async test(matcher: Matcher, event: SeamEvent, ruleId: string): Promise<boolean> {
    if (matcher.sync) return this.testSync(matcher, event, ruleId)
    try {
      return await matcher.engine.match(event)
    } catch (error) {
      this.conditionFailed(ruleId, event, error)
      return false
    }
  }

  /** One rule, one event: resolve first, then cancel an absence, then the trigger (window, absence or single). */
  private apply(
    state: RuleState,
    compiled: CompiledRule,
    event: SeamEvent,
    at: number,
    /** `at` as the event wrote it (its occurred_at); undefined when the rule time was clamped to created_at. */
    atText: string | undefined,
    fires: boolean,
    cancels: boolean,
    resolves: boolean,
    out: Decision[],
  ): void {
    const { rule } = compiled
    const key = groupKey(rule.groupBy, event)
    if (resolves) {
      const decision = resolve(state, compiled, key, event, at, atText)
      if (decision) out.push(decision)
    }
    if (cancels) cancelTimer(state, rule.id, key, at)
    if (!fires) return
    if (rule.absence) {
      openTimer(state, rule.id, key, event, at, rule.absence.within, rule.groupBy)
      return
    }
    let count = 1
    let eventIds: string[] | undefined
    if (rule.window) {
      const fired = windowStep(state, rule.id, key, event, at, rule.window)
      if (!fired) return
      count = fired.count
      eventIds = fired.entries.map((entry) => entry.event_id)
    } else if (rule.spike) {
      const cur = spikeStep(state, rule.id, key, at, rule.spike)
      if (cur === null) return
      count = cur
    } else if (rule.firstSeen) {
      const { firstSeenMax: max, evicted } = this
      const tuple = sameFields(rule.groupBy, rule.firstSeen.fields) ? key : undefined
      if (!firstSeenStep(state, rule.id, rule.firstSeen, event, at, max, evicted, tuple)) return
    }
    const decision = fire(
      state,
      compiled,
      key,
      () => groupObject(rule.groupBy, event),
      event,
      at,
      atText,
      count,
      eventIds,
    )
    if (decision) out.push(decision)
  }
}
