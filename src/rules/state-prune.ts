import type { RuleSet } from './rule-set.js'
import type { RuleState } from './rule-state.js'
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
    for (const [key, entry] of Object.entries(throttles))
      if (entry.suppressed === 0 && entry.lastFireAt + throttle <= state.clock) delete throttles[key]
    if (Object.keys(throttles).length === 0) delete state.throttles[ruleId]
  }
  for (const [ruleId, timers] of Object.entries(state.timers))
    if (!ruleSet.getCompiled(ruleId)?.rule.absence || Object.keys(timers).length === 0)
      delete state.timers[ruleId]
  for (const [ruleId, incidents] of Object.entries(state.incidents))
    if (!ruleSet.getCompiled(ruleId)?.rule.resolve || Object.keys(incidents).length === 0)
      delete state.incidents[ruleId]
}
