import type { Decision } from '../../src/rules/decision.js'
import { emptyRuleState } from '../../src/rules/rule-state.js'
import type { SeamEvent } from '../../src/source/event.js'
import type { RuleFile } from '../generate-rules.js'
import { type Contender, ContenderUnavailable } from './contender.js'
import { loadRulesModule } from './project-rules.js'

/**
 * The project's real evaluator: rule files parsed by the rule schema, `RuleSet.from`, and per event
 * `Evaluator.evaluate(state, event)` (windows, throttles, timers, incidents all updated in the RuleState). The
 * generated rules have no absence, so there are no timers to fire; replay's extra per-event `fireDue` call is
 * measured with the rest of replay in the replay section (set SEAM_ALERTS_BENCH_FIRE_DUE=1 to include it here).
 */
export async function createSeamAlerts(rules: RuleFile[]): Promise<Contender> {
  const loaded = await loadRulesModule()
  if ('missing' in loaded) throw new ContenderUnavailable(loaded.missing)
  const evaluator = loaded.newEvaluator(loaded.ruleSetFrom(rules.map((rule) => loaded.parseRule(rule))))
  const state = emptyRuleState()
  const withFireDue = process.env.SEAM_ALERTS_BENCH_FIRE_DUE === '1'
  let fires = 0
  let suppressed = 0
  const count = (decisions: Decision[]): void => {
    for (const d of decisions) {
      if (d.kind !== 'fire') continue
      fires++
      suppressed += d.suppressed
    }
  }
  return {
    process(event: SeamEvent) {
      if (withFireDue) count(evaluator.fireDue(state, Date.parse(event.occurred_at), false))
      const result = evaluator.evaluate(state, event)
      if (Array.isArray(result)) count(result)
      else return result.then(count)
    },
    counts: () => ({ fires, suppressed }),
  }
}
