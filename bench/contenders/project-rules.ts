import type { Decision } from '../../src/rules/decision.js'
import type { RuleState } from '../../src/rules/rule-state.js'
import type { SeamEvent } from '../../src/source/event.js'
import { optionalImport } from '../optional-import.js'

/** The slice of the rules module (src/rules) the benchmark drives, per the agreed signatures in notes/API.md. */
export interface EvaluatorLike {
  evaluate(state: RuleState, event: SeamEvent): Decision[] | Promise<Decision[]>
  fireDue(state: RuleState, until: number, inclusive: boolean): Decision[]
}
export interface RulesModule {
  parseRule(raw: unknown): unknown
  ruleSetFrom(rules: unknown[]): unknown
  newEvaluator(ruleSet: unknown): EvaluatorLike
}

interface SchemaModule {
  ruleSchema: { parse(raw: unknown): unknown }
}
interface RuleSetModule {
  RuleSet: { from(rules: unknown[]): unknown }
}
interface EvaluatorModule {
  Evaluator: new (ruleSet: unknown) => EvaluatorLike
}

/** Load the project's rule schema, RuleSet and Evaluator; or the reason they are not there yet. */
export async function loadRulesModule(): Promise<RulesModule | { missing: string }> {
  const schema = await optionalImport<SchemaModule>('src/rules/rule-schema.js')
  if ('missing' in schema) return schema
  const set = await optionalImport<RuleSetModule>('src/rules/rule-set.js')
  if ('missing' in set) return set
  const evaluator = await optionalImport<EvaluatorModule>('src/rules/evaluator.js')
  if ('missing' in evaluator) return evaluator
  return {
    parseRule: (raw) => schema.module.ruleSchema.parse(raw),
    ruleSetFrom: (rules) => set.module.RuleSet.from(rules),
    newEvaluator: (ruleSet) => new evaluator.module.Evaluator(ruleSet),
  }
}
