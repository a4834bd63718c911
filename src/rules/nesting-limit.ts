import type { InputIssue } from '../errors.js'
import { jsonPath } from '../errors.js'
import { jsonDepthIssue, MAX_JSON_DEPTH } from '../input/json-depth.js'

export { MAX_JSON_DEPTH }

/**
 * How deep a rule file may nest, checked before anything walks it recursively (env expansion, the condition
 * checks, zod, the condition compiler, json-rules-engine): without a bound, conditions nested ~800 deep overflow the
 * stack and surface as a RangeError with no file name.
 */

/** Condition levels: the `conditions` block is level 1, each `all`/`any` item or `not` below it one more. */
export const MAX_CONDITION_DEPTH = 32

/**
 * Conditions a tree may expand to once the shared conditions it references are put in place: json-rules-engine
 * evaluates a shared condition again at every reference, so a few dozen references to references can mean billions
 * of evaluations per event. Counted only through references; a file's own conditions are bounded by its size.
 */
export const MAX_EXPANDED_CONDITIONS = 1000

const isContainer = (value: unknown): value is object => value !== null && typeof value === 'object'

interface Root {
  path: PropertyKey[]
  node: unknown
}

/**
 * Every condition below a root, in document order, with its level (the root is 1), without going deeper than
 * MAX_CONDITION_DEPTH + 1. Iterative: the input may be nested far deeper than the stack allows.
 */
function* conditionsOf(root: Root): Generator<{ path: PropertyKey[]; node: unknown; depth: number }> {
  const stack: { path: PropertyKey[]; node: unknown; depth: number }[] = [{ ...root, depth: 1 }]
  while (stack.length > 0) {
    const entry = stack.pop()!
    yield entry
    const { path, node, depth } = entry
    if (depth > MAX_CONDITION_DEPTH || !isContainer(node) || Array.isArray(node)) continue
    const record = node as Record<string, unknown>
    // Pushed in reverse so they come out in document order.
    if ('not' in record) stack.push({ path: [...path, 'not'], node: record.not, depth: depth + 1 })
    for (const kind of ['any', 'all']) {
      const items = record[kind]
      if (Array.isArray(items))
        for (let index = items.length - 1; index >= 0; index--)
          stack.push({ path: [...path, kind, index], node: items[index], depth: depth + 1 })
    }
  }
}

const referenceOf = (node: unknown): string | undefined =>
  isContainer(node) && typeof (node as { condition?: unknown }).condition === 'string'
    ? (node as { condition: string }).condition
    : undefined

/** How deep a condition tree reaches and how many conditions it has, shared conditions put in place (capped). */
interface Measure {
  height: number
  size: number
}

function measure(node: unknown, known: ReadonlyMap<string, Measure>): Measure {
  let height = 0
  let size = 0
  for (const { node: item, depth } of conditionsOf({ path: [], node })) {
    const target = referenceOf(item)
    const below = (target === undefined ? undefined : known.get(target)) ?? { height: 1, size: 1 }
    height = Math.max(height, depth - 1 + below.height)
    size += below.size
  }
  return {
    height: Math.min(height, MAX_CONDITION_DEPTH + 1),
    size: Math.min(size, MAX_EXPANDED_CONDITIONS + 1),
  }
}

/**
 * The measure of each shared condition, computed name by name in dependency order (iteratively: a chain of
 * thousands of references must not overflow the stack, and a diamond of references must not be walked path by
 * path). A reference cycle counts as one condition here (it is reported on its own).
 */
function sharedMeasures(shared: Record<string, unknown>): Map<string, Measure> {
  const measures = new Map<string, Measure>()
  const visiting = new Set<string>()
  for (const start of Object.keys(shared)) {
    const stack = [start]
    while (stack.length > 0) {
      const name = stack.at(-1)!
      if (measures.has(name)) {
        stack.pop()
        continue
      }
      visiting.add(name)
      const pending = [...conditionsOf({ path: [], node: shared[name] })]
        .map(({ node }) => referenceOf(node))
        .filter((target): target is string => target !== undefined && Object.hasOwn(shared, target))
        .filter((target) => !measures.has(target) && !visiting.has(target))
      if (pending.length > 0) stack.push(...pending)
      else {
        measures.set(name, measure(shared[name], measures))
        visiting.delete(name)
        stack.pop()
      }
    }
  }
  return measures
}

const LIMIT_TEXT = `(the limit is ${MAX_CONDITION_DEPTH})`

/** Where a root nests too deep: on its own, or (given `measures`) through the shared conditions it references. */
function tooDeepCondition(
  root: Root,
  measures: ReadonlyMap<string, Measure> | undefined,
): { path: PropertyKey[]; message: string } | undefined {
  for (const { path, node, depth } of conditionsOf(root)) {
    if (depth > MAX_CONDITION_DEPTH)
      return { path, message: `conditions nested more than ${MAX_CONDITION_DEPTH} levels deep ${LIMIT_TEXT}` }
    const target = referenceOf(node)
    const height = target === undefined ? undefined : measures?.get(target)?.height
    if (height !== undefined && depth - 1 + height > MAX_CONDITION_DEPTH)
      return {
        path: [...path, 'condition'],
        message:
          `conditions nested more than ${MAX_CONDITION_DEPTH} levels deep once shared condition ` +
          `${JSON.stringify(target)} is put in place ${LIMIT_TEXT}`,
      }
  }
  return undefined
}

/**
 * The nesting problem of a parsed rule file, or undefined: conditions nested deeper than MAX_CONDITION_DEPTH under
 * one of `conditionRoots` (on their own, or once the shared conditions they reference are put in place), more than
 * MAX_EXPANDED_CONDITIONS through references, or any JSON value deeper than MAX_JSON_DEPTH. Reported once, at the
 * first place found.
 */
export function nestingIssue(
  document: unknown,
  conditionRoots: readonly Root[],
  file: string,
): InputIssue | undefined {
  const issue = (found: { path: PropertyKey[]; message: string }) => ({
    file,
    path: jsonPath(found.path),
    message: found.message,
  })
  for (const root of conditionRoots) {
    const found = tooDeepCondition(root, undefined)
    if (found) return issue(found)
  }
  const shared = (document as { sharedConditions?: unknown }).sharedConditions
  if (isContainer(shared) && !Array.isArray(shared)) {
    const measures = sharedMeasures(shared as Record<string, unknown>)
    for (const root of conditionRoots) {
      const found = tooDeepCondition(root, measures)
      if (found) return issue(found)
    }
    for (const root of conditionRoots) {
      const expanded = measure(root.node, measures).size
      if (expanded > MAX_EXPANDED_CONDITIONS && expanded > measure(root.node, new Map()).size)
        return issue({
          path: root.path,
          message:
            `conditions expand to more than ${MAX_EXPANDED_CONDITIONS} conditions once the shared conditions they ` +
            `reference are put in place (the limit is ${MAX_EXPANDED_CONDITIONS}; each reference is evaluated again)`,
        })
    }
  }
  return jsonDepthIssue(document, file)
}
