import { compileCondition, type Predicate } from './condition-compiler.js'
import type { TopCondition } from './condition-types.js'
import { EngineMatcher } from './engine-matcher.js'
import type { Rule } from './rule-schema.js'

/** How one condition block is evaluated: a synchronous predicate when it compiles, else a real Engine. */
export type Matcher = { sync: Predicate; engine?: undefined } | { sync?: undefined; engine: EngineMatcher }

const ALWAYS: Predicate = () => true

export interface CompiledRule {
  rule: Rule
  /** Position in the rule set (rules are sorted by id): the order decisions of one event come out in. */
  order: number
  /** What decides the meaning of the rule's state; state survives a reload while this stays the same. */
  fingerprint: string
  trigger: Matcher
  cancel: Matcher | null
  resolve: Matcher | null
}

function matcher(conditions: TopCondition | undefined, shared: Record<string, TopCondition>): Matcher {
  if (!conditions) return { sync: ALWAYS }
  const predicate = compileCondition(conditions)
  return predicate ? { sync: predicate } : { engine: new EngineMatcher(conditions, shared) }
}

export function ruleFingerprint(rule: Rule): string {
  const { eventTypes, conditions, sharedConditions, groupBy, window, absence, throttle, resolve } = rule
  return JSON.stringify({
    eventTypes,
    conditions,
    sharedConditions,
    groupBy,
    window,
    absence,
    throttle,
    resolve,
  })
}

export function compileRule(rule: Rule, order: number): CompiledRule {
  const shared = rule.sharedConditions ?? {}
  return {
    rule,
    order,
    fingerprint: ruleFingerprint(rule),
    trigger: matcher(rule.conditions, shared),
    cancel: rule.absence ? matcher(rule.absence.conditions, shared) : null,
    resolve: rule.resolve ? matcher(rule.resolve.conditions, shared) : null,
  }
}
