import { compileRegex, regexProblem, type SafeRegex } from './safe-regex.js'
import {
  evaluateInTimeInterval,
  IN_TIME_INTERVAL,
  intervalValueIssues,
  type ValueIssue,
} from './time-interval-operator.js'

/**
 * Operators seam-alerts adds to json-rules-engine's built-in set. Registered on every Engine (see engine-factory.ts)
 * and therefore also used by the compiled predicates, which look operators up from an Engine. None of them throws:
 * a fact of the wrong type simply does not match.
 */
export interface CustomOperator {
  name: string
  description: string
  evaluate(factValue: unknown, value: unknown): boolean
  /** A problem with the condition's `value`, or undefined when it is usable. */
  checkValue(value: unknown): string | undefined
  /** Problems inside a structured value, at paths relative to it (used instead of checkValue when present). */
  valueIssues?(value: unknown): ValueIssue[]
}

export interface RegexValue {
  pattern: string
  flags?: string
}

/** The pattern and flags of a `matches` value (a string, or {pattern, flags}), or null when it has neither shape. */
function regexSpec(value: unknown): { pattern: string; flags: string } | null {
  if (typeof value === 'string') return { pattern: value, flags: '' }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null
  const { pattern, flags = '' } = value as Partial<RegexValue>
  return typeof pattern === 'string' && typeof flags === 'string' ? { pattern, flags } : null
}

/** The RE2 regex for a `matches` value, or null when it is not a valid one. Cached (see safe-regex.ts). */
export function regexFor(value: unknown): SafeRegex | null {
  const spec = regexSpec(value)
  if (!spec) return null
  const compiled = compileRegex(spec.pattern, spec.flags)
  return compiled.ok ? compiled.regex : null
}

function matchesValueProblem(value: unknown): string | undefined {
  const spec = regexSpec(value)
  if (!spec) return 'expected a regular expression string or {"pattern": "...", "flags": "i"}'
  return regexProblem(spec.pattern, spec.flags)
}

const expectString = (value: unknown) => (typeof value === 'string' ? undefined : 'expected a string value')

export const CUSTOM_OPERATORS: readonly CustomOperator[] = [
  {
    name: 'matches',
    description:
      'the fact is a string matching the regular expression (RE2 syntax, linear time) in `value` (a string, or {pattern, flags})',
    evaluate: (fact, value) => {
      if (typeof fact !== 'string') return false
      const regex = regexFor(value)
      return regex?.test(fact) === true
    },
    checkValue: matchesValueProblem,
  },
  {
    name: 'startsWith',
    description: 'the fact is a string starting with `value`',
    evaluate: (fact, value) =>
      typeof fact === 'string' && typeof value === 'string' && fact.startsWith(value),
    checkValue: expectString,
  },
  {
    name: 'endsWith',
    description: 'the fact is a string ending with `value`',
    evaluate: (fact, value) => typeof fact === 'string' && typeof value === 'string' && fact.endsWith(value),
    checkValue: expectString,
  },
  {
    name: 'includesText',
    description: 'the fact is a string containing `value` (the built-in `contains` is for arrays)',
    evaluate: (fact, value) => typeof fact === 'string' && typeof value === 'string' && fact.includes(value),
    checkValue: expectString,
  },
  {
    name: 'exists',
    description: '`value: true`: the fact is present and not null; `value: false`: it is missing or null',
    evaluate: (fact, value) => (fact !== undefined && fact !== null) === (value === true),
    checkValue: (value) => (typeof value === 'boolean' ? undefined : 'expected true or false'),
  },
  {
    name: 'between',
    description: 'the fact is a number within `value: [min, max]`, both ends inclusive',
    evaluate: (fact, value) =>
      typeof fact === 'number' &&
      Array.isArray(value) &&
      typeof value[0] === 'number' &&
      typeof value[1] === 'number' &&
      fact >= value[0] &&
      fact <= value[1],
    checkValue: (value) =>
      Array.isArray(value) && value.length === 2 && value.every((n) => typeof n === 'number')
        ? undefined
        : 'expected [min, max] (two numbers)',
  },
  {
    name: IN_TIME_INTERVAL,
    description:
      'the fact (an ISO time like occurred_at, or epoch ms) falls in `value`: an Alertmanager time_interval spec, an array of them, or the name of a config "timeIntervals" entry',
    evaluate: evaluateInTimeInterval,
    checkValue: (value) => intervalValueIssues(value)[0]?.message,
    valueIssues: intervalValueIssues,
  },
]
