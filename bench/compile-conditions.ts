import type { Condition, LeafCondition } from './generate-rules.js'

/** A compiled condition: a synchronous predicate over one event. */
export type Predicate = (event: Record<string, unknown>) => boolean

type Op = (a: unknown, b: unknown) => boolean
const isNumeric = (a: unknown): boolean => Number.parseFloat(a as string).toString() !== 'NaN'

/** json-rules-engine 7.3's built-in operators, same callbacks and fact-value validators. */
const OPERATORS: Record<string, Op> = {
  equal: (a, b) => a === b,
  notEqual: (a, b) => a !== b,
  in: (a, b) => (b as unknown[]).indexOf(a) > -1,
  notIn: (a, b) => (b as unknown[]).indexOf(a) === -1,
  contains: (a, b) => Array.isArray(a) && a.indexOf(b) > -1,
  doesNotContain: (a, b) => Array.isArray(a) && a.indexOf(b) === -1,
  lessThan: (a, b) => isNumeric(a) && (a as number) < (b as number),
  lessThanInclusive: (a, b) => isNumeric(a) && (a as number) <= (b as number),
  greaterThan: (a, b) => isNumeric(a) && (a as number) > (b as number),
  greaterThanInclusive: (a, b) => isNumeric(a) && (a as number) >= (b as number),
}

/**
 * The hand-written baseline: json-rules-engine conditions compiled once into plain closures (all/any/not,
 * a fact per top-level event field, simple `$.a.b` paths). Mirrors the engine's semantics for what the
 * generated rules use: a path into a non-object yields the fact value itself.
 */
export function compileCondition(condition: Condition): Predicate {
  if ('all' in condition) {
    const parts = condition.all.map(compileCondition)
    return (event) => {
      for (const part of parts) if (!part(event)) return false
      return true
    }
  }
  if ('any' in condition) {
    const parts = condition.any.map(compileCondition)
    return (event) => {
      for (const part of parts) if (part(event)) return true
      return false
    }
  }
  if ('not' in condition) {
    const inner = compileCondition(condition.not)
    return (event) => !inner(event)
  }
  return compileLeaf(condition)
}

function compileLeaf(leaf: LeafCondition): Predicate {
  const op = OPERATORS[leaf.operator]
  if (!op) throw new Error(`handwritten: unsupported operator ${leaf.operator}`)
  const { fact, value } = leaf
  if (!leaf.path) return (event) => op(event[fact], value)
  const keys = leaf.path
    .replace(/^\$\.?/, '')
    .split('.')
    .filter(Boolean)
  return (event) => {
    let current = event[fact]
    if (current === null || typeof current !== 'object') return op(current, value)
    for (const key of keys) {
      if (current === null || typeof current !== 'object') {
        current = undefined
        break
      }
      current = (current as Record<string, unknown>)[key]
    }
    return op(current, value)
  }
}
