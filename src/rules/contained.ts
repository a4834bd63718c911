import type { SeamEvent } from '../source/event.js'
import type { Decision } from './decision.js'
import { type RuleSavepoint, restoreSavepoint, takeSavepoint } from './rule-savepoint.js'
import type { RuleState } from './rule-state.js'

/** The rule work for one event (evaluate it; replay also fires the absence timers due before it). */
export type EventWork = (state: RuleState, event: SeamEvent) => Decision[] | Promise<Decision[]>

/** Where the rule state lives: read and replaced (going back to a savepoint gives a new state object). */
export interface RuleStateSlot {
  state: RuleState
}

export interface EventFailure {
  /** Index of the event in the list given. */
  index: number
  error: unknown
}

export interface ContainedResult {
  /** Per event index: its decisions (empty for a failed or skipped event). */
  decisions: Decision[][]
  failed: EventFailure[]
}

const NONE: Decision[] = []

/**
 * Run `work` for each event in order on `slot.state`, so that one event whose work throws changes nothing: it is
 * reported in `failed`, its decisions are dropped, and the rule state is as if it had never been seen.
 *
 * No per-event copy: a savepoint (rule-savepoint.ts) is taken at the start. When event i throws, the state goes
 * back to the last savepoint, the events between that savepoint and i are evaluated again (evaluation is
 * deterministic: same state, same events, same decisions), i is skipped, and a new savepoint is taken after it.
 * Each event is thus evaluated at most twice, and a batch without failures costs one savepoint. Events whose
 * index is in `skip` are passed over (no work, no decisions).
 */
export async function evaluateContained(
  slot: RuleStateSlot,
  events: readonly SeamEvent[],
  work: EventWork,
  skip?: ReadonlySet<number>,
): Promise<ContainedResult> {
  const decisions: Decision[][] = new Array(events.length)
  const failed = new Map<number, unknown>()
  let savepoint: RuleSavepoint = takeSavepoint(slot.state)
  let savedAt = 0
  /** After going back: where the next savepoint is due (just past the last failed event). */
  let resumeAt = -1
  let i = 0
  while (i < events.length) {
    if (i === resumeAt) {
      savepoint = takeSavepoint(slot.state)
      savedAt = i
      resumeAt = -1
    }
    if (failed.has(i) || skip?.has(i)) {
      decisions[i] = NONE
      i++
      continue
    }
    try {
      const out = work(slot.state, events[i]!)
      decisions[i] = out instanceof Promise ? await out : out
      i++
    } catch (error) {
      failed.set(i, error)
      slot.state = restoreSavepoint(savepoint)
      resumeAt = Math.max(resumeAt, i + 1)
      i = savedAt
    }
  }
  const failures = [...failed].map(([index, error]) => ({ index, error }))
  return { decisions, failed: failures.sort((a, b) => a.index - b.index) }
}
