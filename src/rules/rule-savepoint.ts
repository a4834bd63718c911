import { copyMap, deepFreeze } from '../frozen.js'
import type { RuleState } from './rule-state.js'

/** The maps of rule id -> group map in a RuleState (the group maps are the big, shared ones). */
const GROUP_MAPS = ['windows', 'timers', 'throttles', 'incidents'] as const

/**
 * A rule state as it was at one moment, cheap to take and to go back to, so the effects of one event whose
 * evaluation threw can be undone. It relies on the rule that state code never changes a frozen record or group
 * map in place (it replaces a record and copies a map with `bucket`/`ownMap` first; see src/frozen.ts): taking a
 * savepoint freezes the group maps and records written since the last one, so later writes copy them and the
 * savepoint keeps seeing the old ones. It copies only the small per-rule maps.
 */
export interface RuleSavepoint {
  readonly state: Readonly<RuleState>
}

/** Take a savepoint of `state` (which stays in use: its writes from now on copy what they change). */
export function takeSavepoint(state: RuleState): RuleSavepoint {
  const saved: Record<string, unknown> = { ...state }
  for (const part of GROUP_MAPS) {
    const byRule: Record<string, unknown> = state[part]
    for (const ruleId of Object.keys(byRule)) deepFreeze(byRule[ruleId])
    saved[part] = copyMap(byRule)
  }
  if (state.fingerprints) saved.fingerprints = copyMap(state.fingerprints)
  return { state: saved as RuleState }
}

/**
 * A new rule state equal to the savepoint (the savepoint stays valid: it can be gone back to again). A new object,
 * so every cache keyed on the state object (the evaluator's reconcile and sweep marks, the earliest absence
 * deadline) starts over instead of describing the state that was given up.
 */
export function restoreSavepoint(savepoint: RuleSavepoint): RuleState {
  const saved = savepoint.state
  const state: Record<string, unknown> = { ...saved }
  for (const part of GROUP_MAPS) state[part] = copyMap<unknown>(saved[part])
  if (saved.fingerprints) state.fingerprints = copyMap(saved.fingerprints)
  return state as RuleState
}
