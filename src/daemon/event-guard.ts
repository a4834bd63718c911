import { evaluateContained, type RuleStateSlot } from '../rules/contained.js'
import type { Decision } from '../rules/decision.js'
import type { SeamEvent } from '../source/event.js'
import {
  restoreDraftSavepoint,
  restoreRecordSavepoint,
  takeDraftSavepoint,
  takeRecordSavepoint,
} from '../state/draft-savepoint.js'
import type { State } from '../state/state-schema.js'
import type { EvaluatorLike } from './cycle.js'

/** An event of a batch that was skipped because evaluating or recording it threw. */
export interface FailedEvent {
  event: SeamEvent
  stage: 'evaluate' | 'record'
  error: unknown
}

export interface GuardedBatch {
  /** The decisions of every event that went through, in event order. */
  decisions: Decision[]
  /** Outbox items queued. */
  queued: number
  failed: FailedEvent[]
}

/** Records one list of decisions in the draft (outbox, digests); returns the outbox items added. */
export type RecordDecisions = (draft: State, decisions: Decision[]) => number

/**
 * Evaluate a batch's events on the draft's rule state and record their decisions, containing every failure to its
 * event: an event whose evaluation or recording throws is skipped, and the draft is left exactly as if it had never
 * been in the batch, so the rest of the batch (and the cursor) move on.
 *
 * - Evaluation: contained per event through rule-state savepoints (rules/contained.ts); a batch without failures
 *   costs one savepoint.
 * - Recording runs once for the whole batch (it scans the outbox and sent records once). Should it throw, it is
 *   undone and redone event by event to find the events whose decisions cannot be recorded; then the draft goes
 *   back to where it was before the batch and the batch is evaluated again without them, so their effects on the
 *   rule state (a throttle set, a window cleared) are undone too. Every round excludes at least one more event.
 */
export async function evaluateAndRecord(
  draft: State,
  events: readonly SeamEvent[],
  evaluator: EvaluatorLike,
  record: RecordDecisions,
): Promise<GuardedBatch> {
  const start = takeDraftSavepoint(draft)
  const excluded = new Map<number, Omit<FailedEvent, 'event'>>()
  const slot: RuleStateSlot = {
    get state() {
      return draft.rules
    },
    set state(next) {
      draft.rules = next
    },
  }
  const work = (state: State['rules'], event: SeamEvent) => evaluator.evaluate(state, event)
  for (;;) {
    const evaluated = await evaluateContained(slot, events, work, new Set(excluded.keys()))
    for (const { index, error } of evaluated.failed) excluded.set(index, { stage: 'evaluate', error })
    const perEvent = evaluated.decisions
    const decisions = perEvent.flat()
    const beforeRecord = takeRecordSavepoint(draft)
    let queued: number
    try {
      queued = record(draft, decisions)
    } catch {
      restoreRecordSavepoint(draft, beforeRecord)
      const found = recordOneByOne(draft, perEvent, record, excluded)
      if (found.culprits > 0) {
        restoreDraftSavepoint(draft, start)
        continue
      }
      queued = found.queued
    }
    const failed = [...excluded]
      .sort(([a], [b]) => a - b)
      .map(([index, failure]) => ({ event: events[index]!, ...failure }))
    return { decisions, queued, failed }
  }
}

/** Record each event's decisions on its own; the events whose recording throws are added to `excluded`. */
function recordOneByOne(
  draft: State,
  perEvent: Decision[][],
  record: RecordDecisions,
  excluded: Map<number, Omit<FailedEvent, 'event'>>,
): { culprits: number; queued: number } {
  let culprits = 0
  let queued = 0
  perEvent.forEach((decisions, index) => {
    if (decisions.length === 0) return
    const savepoint = takeRecordSavepoint(draft)
    try {
      queued += record(draft, decisions)
    } catch (error) {
      restoreRecordSavepoint(draft, savepoint)
      excluded.set(index, { stage: 'record', error })
      culprits++
    }
  })
  return { culprits, queued }
}
