import { createHash } from 'node:crypto'
import { compileCondition, type Predicate } from './condition-compiler.js'
import type { TopCondition } from './condition-types.js'
import { EngineMatcher } from './engine-matcher.js'
import { resolveIntervalNames } from './interval-names.js'
import type { Rule } from './rule-schema.js'
import type { NamedIntervals } from './time-interval-operator.js'

/** How one condition block is evaluated: a synchronous predicate when it compiles, else a real Engine. */
export type Matcher = { sync: Predicate; engine?: undefined } | { sync?: undefined; engine: EngineMatcher }

const ALWAYS: Predicate = () => true

export interface CompiledRule {
  rule: Rule
  /** Position in the rule set (rules are sorted by id): the order decisions of one event come out in. */
  order: number
  /**
   * What decides the meaning of the rule's state (a hash of the state-relevant fields, canonical JSON); state
   * survives a reload or a restart while this stays the same. Persisted in RuleState.fingerprints.
   */
  fingerprint: string
  trigger: Matcher
  cancel: Matcher | null
  resolve: Matcher | null
}

function matcherFor(conditions: TopCondition | undefined, shared: Record<string, TopCondition>): Matcher {
  if (!conditions) return { sync: ALWAYS }
  const predicate = compileCondition(conditions)
  return predicate ? { sync: predicate } : { engine: new EngineMatcher(conditions, shared) }
}

/** JSON with object keys sorted at every level (undefined members dropped), so key order in a file is no change. */
function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  const members = Object.keys(value)
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`)
  return `{${members.join(',')}}`
}

/** Bump when the meaning of rule state changes between versions: every rule then counts as changed once. */
const FINGERPRINT_VERSION = 'v1'

/**
 * Hash of the fields that decide what the rule's state means (not id, description, severity, actions, digest, nor
 * the routing fields muteTimes and inhibitedBy). Durations are already milliseconds, so "10m" and "600s" are the
 * same rule. Conditions count as written: an `inTimeInterval` name counts, not the config spec it stands for.
 */
export function ruleFingerprint(rule: Rule): string {
  const { eventTypes, conditions, sharedConditions, groupBy, window, absence, throttle, resolve } = rule
  // firstSeen and spike are absent (dropped) in rules without them, so older rules keep their fingerprints.
  const { firstSeen, spike } = rule
  const text = canonicalJson({
    eventTypes,
    conditions,
    sharedConditions,
    groupBy,
    window,
    absence,
    throttle,
    resolve,
    firstSeen,
    spike,
  })
  return createHash('sha256').update(FINGERPRINT_VERSION).update('\n').update(text).digest('base64url')
}

/** `named`: the config's timeIntervals, for `inTimeInterval` values that are names (see interval-names.ts). */
export function compileRule(rule: Rule, order: number, named?: NamedIntervals): CompiledRule {
  const shared = Object.fromEntries(
    Object.entries(rule.sharedConditions ?? {}).map(([name, node]) => [
      name,
      resolveIntervalNames(node, named),
    ]),
  )
  const matcher = (conditions: TopCondition | undefined) =>
    matcherFor(resolveIntervalNames(conditions, named), shared)
  return {
    rule,
    order,
    fingerprint: ruleFingerprint(rule),
    trigger: matcher(rule.conditions),
    cancel: rule.absence ? matcher(rule.absence.conditions) : null,
    resolve: rule.resolve ? matcher(rule.resolve.conditions) : null,
  }
}
