import { deleteKeys } from '../frozen.js'
import { forgetEarliest } from './absence-timers.js'
import type { CompiledRule } from './compiled-rule.js'
import { firstSeenSection, pruneFirstSeen, reconcileFirstSeen } from './first-seen.js'
import type { RuleSet } from './rule-set.js'
import type { RuleState } from './rule-state.js'
import { pruneSpikes } from './spike-step.js'
import { pruneWindows } from './window-step.js'

/**
 * Remove rule state that can no longer matter at state.clock: window entries older than the window, throttles
 * that expired with nothing suppressed, empty groups, and state of rules that are not in the rule set.
 */
export function pruneState(state: RuleState, ruleSet: RuleSet): void {
  for (const ruleId of Object.keys(state.windows)) {
    const window = ruleSet.getCompiled(ruleId)?.rule.window
    if (window) pruneWindows(state, ruleId, window.within)
    else delete state.windows[ruleId]
  }
  for (const [ruleId, throttles] of Object.entries(state.throttles)) {
    const throttle = ruleSet.getCompiled(ruleId)?.rule.throttle
    if (throttle === undefined) {
      delete state.throttles[ruleId]
      continue
    }
    const expired = Object.keys(throttles).filter((key) => {
      const entry = throttles[key]!
      return entry.suppressed === 0 && entry.lastFireAt + throttle <= state.clock
    })
    if (expired.length === Object.keys(throttles).length) delete state.throttles[ruleId]
    else deleteKeys(state.throttles, ruleId, expired)
  }
  for (const [ruleId, timers] of Object.entries(state.timers))
    if (!ruleSet.getCompiled(ruleId)?.rule.absence || Object.keys(timers).length === 0)
      delete state.timers[ruleId]
  for (const [ruleId, incidents] of Object.entries(state.incidents))
    if (!ruleSet.getCompiled(ruleId)?.rule.resolve || Object.keys(incidents).length === 0)
      delete state.incidents[ruleId]
  for (const ruleId of Object.keys(state.spikes ?? {})) {
    const spike = ruleSet.getCompiled(ruleId)?.rule.spike
    if (spike) pruneSpikes(state, ruleId, spike.within)
    else delete state.spikes![ruleId]
  }
  for (const ruleId of Object.keys(state.firstSeen ?? {})) {
    const firstSeen = ruleSet.getCompiled(ruleId)?.rule.firstSeen
    if (firstSeen) pruneFirstSeen(state, ruleId, firstSeen.remember)
    else delete state.firstSeen![ruleId]
  }
}

const PARTS = ['windows', 'timers', 'throttles', 'incidents', 'spikes'] as const

/**
 * A rule whose fingerprint changed: its windows, spike counts and timers start fresh; throttles and incidents stay
 * if it still has them. What a first-seen rule learned depends on its `firstSeen` section only (reconcileFirstSeen).
 */
function resetChangedRule(state: RuleState, compiled: CompiledRule): void {
  const { id, throttle, resolve } = compiled.rule
  delete state.windows[id]
  delete state.timers[id]
  if (state.spikes) delete state.spikes[id]
  if (throttle === undefined) delete state.throttles[id]
  if (resolve === undefined) delete state.incidents[id]
}

/**
 * Bring rule state in line with a rule set, using the fingerprints persisted in the state (so a change made while
 * the daemon was down is treated exactly like a hot reload): state of rules not in the set (removed or disabled)
 * is dropped; a rule whose recorded fingerprint differs starts fresh windows and timers (see resetChangedRule);
 * a rule with the same or no recorded fingerprint (unknown, e.g. a state file older than fingerprints) keeps
 * everything. Afterwards state.fingerprints holds exactly the set's enabled rules. Idempotent.
 * Returns true when any window, timer, throttle or incident was dropped.
 */
export function reconcileState(state: RuleState, ruleSet: RuleSet): boolean {
  let dropped = false
  const recorded = state.fingerprints ?? {}
  state.fingerprints = recorded
  for (const compiled of ruleSet.compiled) {
    const id = compiled.rule.id
    const was = Object.hasOwn(recorded, id) ? recorded[id] : undefined
    if (was === compiled.fingerprint) continue
    if (was !== undefined) {
      resetChangedRule(state, compiled)
      dropped = true
    }
    recorded[id] = compiled.fingerprint
  }
  for (const id of Object.keys(recorded)) if (!ruleSet.getCompiled(id)) delete recorded[id]
  for (const part of PARTS) {
    const map = state[part] ?? {}
    for (const id of Object.keys(map))
      if (!ruleSet.getCompiled(id)) {
        delete map[id]
        dropped = true
      }
  }
  const section = (id: string) => {
    const firstSeen = ruleSet.getCompiled(id)?.rule.firstSeen
    return firstSeen && firstSeenSection(firstSeen)
  }
  if (reconcileFirstSeen(state, section)) dropped = true
  if (dropped) forgetEarliest(state)
  return dropped
}
