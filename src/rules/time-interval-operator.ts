import { inTimeInterval } from './time-interval.js'
import { type TimeIntervalSpec, timeIntervalSpecSchema } from './time-interval-schema.js'

/**
 * The `inTimeInterval` condition operator: `{"fact": "occurred_at", "operator": "inTimeInterval", "value": V}` is
 * true when the fact's time falls in V. V is an inline Alertmanager time_interval spec, an array of specs (any one
 * matching is enough), or the name of a config `timeIntervals` entry. Names are replaced by their specs when the
 * rule set is built (resolveIntervalNames), so at evaluation time a value is always specs; a name left unresolved
 * matches nothing.
 */
export const IN_TIME_INTERVAL = 'inTimeInterval'

/** Config `timeIntervals`: name to its list of specs. */
export type NamedIntervals = Readonly<Record<string, readonly TimeIntervalSpec[]>>

/** A problem inside a condition value, at a path relative to the value. */
export interface ValueIssue {
  path: PropertyKey[]
  message: string
}

const INTERVAL_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

function specIssues(value: unknown, at: PropertyKey[]): ValueIssue[] {
  const result = timeIntervalSpecSchema.safeParse(value)
  if (result.success) return []
  const out: ValueIssue[] = []
  for (const issue of result.error.issues) {
    const path = [...at, ...issue.path]
    if (issue.code === 'unrecognized_keys')
      for (const key of issue.keys)
        out.push({
          path: [...path, key],
          message: `unknown field ${JSON.stringify(key)} (allowed: times, weekdays, days_of_month, months, years, location)`,
        })
    else out.push({ path, message: issue.message })
  }
  return out
}

/** Every problem with an `inTimeInterval` value (paths relative to the value), empty when it is usable. */
export function intervalValueIssues(value: unknown): ValueIssue[] {
  if (typeof value === 'string')
    return INTERVAL_NAME.test(value)
      ? []
      : [{ path: [], message: 'expected the name of a config "timeIntervals" entry, e.g. "business-hours"' }]
  if (Array.isArray(value)) {
    if (value.length === 0) return [{ path: [], message: 'expected at least one time interval spec' }]
    return value.flatMap((spec, index) => specIssues(spec, [index]))
  }
  if (isObject(value)) return specIssues(value, [])
  return [
    {
      path: [],
      message:
        'expected a time interval spec like {"weekdays": ["monday:friday"]}, an array of specs, or the name of a config "timeIntervals" entry',
    },
  ]
}

/** Valid spec values seen, so evaluation checks each value object once (values are the rule's own constants). */
const checked = new WeakMap<object, boolean>()

/** The fact as epoch ms: an ISO 8601 string (like occurred_at) or a number of milliseconds; NaN otherwise. */
function factTime(fact: unknown): number {
  if (typeof fact === 'number') return fact
  if (typeof fact === 'string') return Date.parse(fact)
  return Number.NaN
}

/** The operator: never throws; a fact that is not a time, or a value that is not specs, does not match. */
export function evaluateInTimeInterval(fact: unknown, value: unknown): boolean {
  const at = factTime(fact)
  if (!Number.isFinite(at) || value === null || typeof value !== 'object') return false
  let ok = checked.get(value)
  if (ok === undefined) {
    ok = typeof value === 'object' && intervalValueIssues(value).length === 0
    checked.set(value, ok)
  }
  return ok && inTimeInterval(value as TimeIntervalSpec | TimeIntervalSpec[], at)
}

/** A reference to a named interval inside a condition tree: the name and the JSON path of the value. */
export interface IntervalNameRef {
  name: string
  at: PropertyKey[]
}

const usesIntervalOperator = (operator: unknown): boolean =>
  typeof operator === 'string' && operator.split(':').pop() === IN_TIME_INTERVAL

/**
 * A copy of a condition tree with every `inTimeInterval` value that is a name replaced by `resolve(name, at)`
 * (a value left undefined keeps the name); `resolve` also hears of each reference with its path.
 */
export function mapIntervalNames(
  node: unknown,
  at: PropertyKey[],
  resolve: (ref: IntervalNameRef) => unknown,
): unknown {
  if (Array.isArray(node)) return node.map((item, index) => mapIntervalNames(item, [...at, index], resolve))
  if (!isObject(node)) return node
  if ('fact' in node) {
    if (!usesIntervalOperator(node.operator) || typeof node.value !== 'string') return node
    const replaced = resolve({ name: node.value, at: [...at, 'value'] })
    return replaced === undefined ? node : { ...node, value: replaced }
  }
  const out: Record<string, unknown> = {}
  for (const [key, child] of Object.entries(node))
    out[key] =
      key === 'all' || key === 'any' || key === 'not' ? mapIntervalNames(child, [...at, key], resolve) : child
  return out
}
