import { Evaluator } from '../../src/rules/evaluator.js'
import { parseRuleValue } from '../../src/rules/rule-parse.js'
import type { Rule } from '../../src/rules/rule-schema.js'
import { RuleSet } from '../../src/rules/rule-set.js'
import { emptyRuleState, type RuleState } from '../../src/rules/rule-state.js'
import type { SeamEvent } from '../../src/source/event.js'
import { T0_RULES } from '../helpers/fixtures.js'

/** Parse a rule object, failing the test with the issues when it is invalid. */
export function rule(raw: Record<string, unknown>): Rule {
  const parsed = parseRuleValue({ id: 'r', ...raw }, 'test.json')
  if (!parsed.rule) throw new Error(parsed.issues.map((i) => `${i.path}: ${i.message}`).join('\n'))
  return parsed.rule
}

let counter = 0
/** An event at T0_RULES + offset ms (occurred_at = created_at). */
export function event(type: string, offsetMs: number, fields: Record<string, unknown> = {}): SeamEvent {
  const at = new Date(T0_RULES + offsetMs).toISOString()
  counter++
  return {
    event_id: `evt_${String(counter).padStart(6, '0')}`,
    event_type: type,
    created_at: at,
    occurred_at: at,
    ...fields,
  } as SeamEvent
}

export interface Run {
  evaluator: Evaluator
  state: RuleState
  /** Feed events as replay does (fireDue before each event); returns the decisions as short tuples. */
  feed(events: SeamEvent[], until?: number): Promise<string[]>
}

/** A fresh Evaluator over `rules`; on `state` when given (e.g. one reloaded from a saved file), else empty. */
export function setup(rules: Rule[], state: RuleState = emptyRuleState()): Run {
  const evaluator = new Evaluator(RuleSet.from(rules))
  return {
    evaluator,
    state,
    async feed(events, until) {
      const out: string[] = []
      const show = (d: { rule: string; kind: string; event_id: string; count: number; suppressed: number }) =>
        `${d.rule} ${d.kind} ${d.event_id} count=${d.count} suppressed=${d.suppressed}`
      for (const e of events) {
        for (const d of evaluator.fireDue(state, Date.parse(e.occurred_at), false)) out.push(show(d))
        for (const d of await evaluator.evaluate(state, e)) out.push(show(d))
      }
      if (until !== undefined) for (const d of evaluator.fireDue(state, until, true)) out.push(show(d))
      return out
    },
  }
}
