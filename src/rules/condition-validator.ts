import type { InputIssue } from '../errors.js'
import { jsonPath } from '../errors.js'
import { CUSTOM_OPERATORS } from './custom-operators.js'
import { engineOperator, knownOperators, referenceEngine } from './engine-factory.js'
import { parsePath } from './path-resolver.js'

type Path = PropertyKey[]
type Report = (path: Path, message: string) => void

const KINDS = ['all', 'any', 'not', 'condition', 'fact'] as const
const ALLOWED: Record<(typeof KINDS)[number], readonly string[]> = {
  all: ['all', 'priority', 'name'],
  any: ['any', 'priority', 'name'],
  not: ['not', 'priority', 'name'],
  condition: ['condition', 'priority', 'name'],
  fact: ['fact', 'operator', 'value', 'path', 'params', 'priority', 'name'],
}
const ARRAY_VALUE_OPERATORS = new Set(['in', 'notIn'])
const customByName = new Map(CUSTOM_OPERATORS.map((op) => [op.name, op]))

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

export function unknownOperatorMessage(name: string): string {
  const { operators, decorators } = knownOperators()
  return (
    `unknown operator ${JSON.stringify(name)}; valid operators: ${operators.join(', ')}` +
    ` (optionally prefixed by a decorator: ${decorators.map((d) => `${d}:`).join(', ')})`
  )
}

function checkPath(path: unknown, at: Path, report: Report): void {
  if (path === undefined) return
  if (typeof path !== 'string' || parsePath(path) === null)
    report(
      at,
      `unsupported path ${JSON.stringify(path)}: use "$.field", "$.a.b", "$.list[0]" or '$["odd key"]'`,
    )
}

function checkLeaf(node: Record<string, unknown>, at: Path, report: Report): void {
  if (typeof node.fact !== 'string' || node.fact === '')
    report([...at, 'fact'], 'expected the name of an event field, e.g. "device_id"')
  checkPath(node.path, [...at, 'path'], report)
  if (!('operator' in node)) report(at, 'missing "operator"')
  else if (typeof node.operator !== 'string' || !engineOperator(referenceEngine(), node.operator))
    report([...at, 'operator'], unknownOperatorMessage(String(node.operator)))
  if (!('value' in node)) {
    report(at, 'missing "value"')
    return
  }
  const value = node.value
  if (isObject(value) && 'fact' in value) {
    if (typeof value.fact !== 'string')
      report([...at, 'value', 'fact'], 'expected the name of an event field')
    checkPath(value.path, [...at, 'value', 'path'], report)
    return
  }
  checkOperatorValue(String(node.operator), value, [...at, 'value'], report)
}

/** One side of an operator call while decorators are applied: the rule's literal value(s), or event data. */
type Side = { literal: false } | { literal: true; items: { value: unknown; at: Path }[] }

/**
 * Check a literal `value` against its operator, decorators included: `someValue:`/`everyValue:` take an array and
 * hand each element on, `someFact:`/`everyFact:` do the same to the fact side, `swap:` exchanges the sides, `not:`
 * changes nothing. The base operator's check (e.g. the `matches` regex) then applies to whatever literal reached
 * its value side; a value that came from the event (after `swap:`) cannot be checked here.
 */
function checkOperatorValue(operator: string, value: unknown, at: Path, report: Report): void {
  const names = operator.split(':')
  const base = names.pop()!
  let fact: Side = { literal: false }
  let side: Side = { literal: true, items: [{ value, at }] }
  const spread = (from: Side, name: string): Side => {
    if (!from.literal) return from
    const items: { value: unknown; at: Path }[] = []
    for (const item of from.items) {
      if (!Array.isArray(item.value)) {
        report(item.at, `operator "${operator}" expects an array value (for "${name}:")`)
        continue
      }
      for (const [index, element] of item.value.entries())
        items.push({ value: element, at: [...item.at, index] })
    }
    return { literal: true, items }
  }
  for (const name of names) {
    if (name === 'swap') [fact, side] = [side, fact]
    else if (name === 'someValue' || name === 'everyValue') side = spread(side, name)
    else if ((name === 'someFact' || name === 'everyFact') && fact.literal) fact = spread(fact, name)
  }
  if (!side.literal) return
  const custom = customByName.get(base)
  for (const item of side.items) {
    if (custom?.valueIssues)
      for (const issue of custom.valueIssues(item.value)) report([...item.at, ...issue.path], issue.message)
    else {
      const problem = custom?.checkValue(item.value)
      if (problem) report(item.at, problem)
    }
    if (ARRAY_VALUE_OPERATORS.has(base) && !Array.isArray(item.value))
      report(item.at, `operator "${operator}" expects an array value`)
  }
}

/** Check one condition node (any depth) and everything below it. */
function checkNode(node: unknown, at: Path, shared: ReadonlySet<string>, report: Report): void {
  if (!isObject(node)) {
    report(at, 'expected a condition object: {"all": [...]}, {"any": [...]}, {"not": {...}}, {"fact": ...}')
    return
  }
  const kinds = KINDS.filter((kind) => kind in node)
  if (kinds.length === 0) {
    if ('operator' in node || 'value' in node)
      report(at, 'condition without fact: add "fact" (the event field)')
    else report(at, 'expected one of "all", "any", "not", "fact" or "condition"')
    return
  }
  if (kinds.length > 1) {
    report(at, `a condition has exactly one of ${KINDS.join(', ')}; found ${kinds.join(' and ')}`)
    return
  }
  const kind = kinds[0]!
  for (const key of Object.keys(node))
    if (!ALLOWED[kind].includes(key))
      report([...at, key], `unknown field ${JSON.stringify(key)} (allowed here: ${ALLOWED[kind].join(', ')})`)
  if ('priority' in node && !(typeof node.priority === 'number' && node.priority >= 1))
    report([...at, 'priority'], 'expected a number >= 1')
  if ('name' in node && typeof node.name !== 'string') report([...at, 'name'], 'expected a string')
  if (kind === 'all' || kind === 'any') {
    const items = node[kind]
    if (!Array.isArray(items)) report([...at, kind], `"${kind}" must be an array of conditions`)
    else for (const [index, item] of items.entries()) checkNode(item, [...at, kind, index], shared, report)
  } else if (kind === 'not') {
    if (Array.isArray(node.not)) report([...at, 'not'], '"not" takes one condition, not an array')
    else checkNode(node.not, [...at, 'not'], shared, report)
  } else if (kind === 'condition') {
    if (typeof node.condition !== 'string' || !shared.has(node.condition))
      report(
        [...at, 'condition'],
        `unknown shared condition ${JSON.stringify(node.condition)}` +
          (shared.size ? ` (defined: ${[...shared].join(', ')})` : ' (define it under "sharedConditions")'),
      )
  } else checkLeaf(node, at, report)
}

/** Check a rule-level `conditions` value: its top must be all/any/not or a reference to a shared condition. */
export function checkTopCondition(
  node: unknown,
  at: Path,
  shared: ReadonlySet<string>,
  file: string,
  issues: InputIssue[],
): void {
  const report: Report = (path, message) => issues.push({ file, path: jsonPath(path), message })
  if (isObject(node) && 'fact' in node && !('all' in node || 'any' in node || 'not' in node)) {
    report(
      at,
      'the top of a conditions block must be {"all": [...]}, {"any": [...]}, {"not": {...}} or {"condition": "name"}',
    )
    return
  }
  checkNode(node, at, shared, report)
}

/** Names of shared conditions that (directly or not) reference themselves: json-rules-engine would loop. */
export function sharedConditionCycles(shared: Record<string, unknown>): string[] {
  const refs = (node: unknown, out: Set<string>): Set<string> => {
    if (Array.isArray(node)) for (const item of node) refs(item, out)
    else if (isObject(node)) {
      if (typeof node.condition === 'string') out.add(node.condition)
      for (const key of ['all', 'any', 'not']) if (key in node) refs(node[key], out)
    }
    return out
  }
  const edges = new Map(Object.entries(shared).map(([name, node]) => [name, refs(node, new Set())]))
  const cyclic: string[] = []
  for (const start of edges.keys()) {
    const seen = new Set<string>()
    const stack = [...(edges.get(start) ?? [])]
    while (stack.length) {
      const next = stack.pop()!
      if (next === start) {
        cyclic.push(start)
        break
      }
      if (seen.has(next)) continue
      seen.add(next)
      stack.push(...(edges.get(next) ?? []))
    }
  }
  return cyclic
}
