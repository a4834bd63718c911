import { type InputIssue, jsonPath } from '../errors.js'
import type { TopCondition } from './condition-types.js'
import type { Rule } from './rule-schema.js'
import { type IntervalNameRef, mapIntervalNames, type NamedIntervals } from './time-interval-operator.js'

/**
 * Config `timeIntervals` names used by rules: in `muteTimes` and as `inTimeInterval` values. They are checked when
 * a rule file is read (a name the config does not define makes the file invalid) and replaced by their specs when
 * the rule set is compiled, so both evaluation paths see inline specs.
 */
export interface IntervalContext {
  /** The config's `timeIntervals`; undefined when no config was given (validate or replay without --config). */
  named?: NamedIntervals
  /**
   * Without a config: 'warn' reports each name as a warning (validate), 'error' makes a name used in a condition
   * an error (replay cannot evaluate it; muteTimes are wall-clock routing, which replay ignores). Default 'warn'.
   */
  withoutConfig?: 'warn' | 'error'
}

/** The condition trees of a rule, with their JSON paths. */
function conditionTrees(rule: Rule): { at: PropertyKey[]; node: TopCondition }[] {
  const trees: { at: PropertyKey[]; node: TopCondition }[] = []
  if (rule.conditions) trees.push({ at: ['conditions'], node: rule.conditions })
  if (rule.absence?.conditions) trees.push({ at: ['absence', 'conditions'], node: rule.absence.conditions })
  if (rule.resolve?.conditions) trees.push({ at: ['resolve', 'conditions'], node: rule.resolve.conditions })
  for (const [name, node] of Object.entries(rule.sharedConditions ?? {}))
    trees.push({ at: ['sharedConditions', name], node })
  return trees
}

/** Every interval name a rule uses in its conditions, with the path of the value. */
export function conditionIntervalRefs(rule: Rule): IntervalNameRef[] {
  const refs: IntervalNameRef[] = []
  for (const { at, node } of conditionTrees(rule))
    mapIntervalNames(node, at, (ref) => {
      refs.push(ref)
      return undefined
    })
  return refs
}

const defined = (named: NamedIntervals): string => {
  const names = Object.keys(named)
  return names.length ? `config timeIntervals defines: ${names.join(', ')}` : 'config has no timeIntervals'
}

/** Problems (issues) and warnings about the interval names a valid rule uses. */
export function checkIntervalNames(
  rule: Rule,
  file: string,
  context: IntervalContext,
): { issues: InputIssue[]; warnings: InputIssue[] } {
  const issues: InputIssue[] = []
  const warnings: InputIssue[] = []
  const refs = [
    ...conditionIntervalRefs(rule).map((ref) => ({ ...ref, condition: true })),
    ...rule.muteTimes.map((name, index) => ({ name, at: ['muteTimes', index], condition: false })),
  ]
  const { named } = context
  for (const { name, at, condition } of refs) {
    const path = jsonPath(at)
    if (named) {
      if (!Object.hasOwn(named, name))
        issues.push({
          file,
          path,
          message: `unknown time interval ${JSON.stringify(name)} (${defined(named)})`,
        })
    } else if (context.withoutConfig === 'error') {
      if (condition)
        issues.push({
          file,
          path,
          message: `time interval ${JSON.stringify(name)} is a config timeIntervals name: pass --config FILE to resolve it, or write the spec inline`,
        })
    } else
      warnings.push({
        file,
        path,
        message: `warning: cannot check time interval name ${JSON.stringify(name)} without --config`,
      })
  }
  return { issues, warnings }
}

/** A condition tree with every interval name replaced by its specs (names not in `named` are left as they are). */
export function resolveIntervalNames<T>(node: T, named: NamedIntervals | undefined): T {
  if (!named) return node
  return mapIntervalNames(node, [], ({ name }) => (Object.hasOwn(named, name) ? named[name] : undefined)) as T
}
