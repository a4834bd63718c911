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
}

export interface RegexValue {
  pattern: string
  flags?: string
}

const regexCache = new Map<string, RegExp | null>()

/** The RegExp for a `matches` value (string or {pattern, flags}), or null when it is not a valid one. Cached. */
export function regexFor(value: unknown): RegExp | null {
  let pattern: unknown = value
  let flags: unknown = ''
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    pattern = (value as RegexValue).pattern
    flags = (value as RegexValue).flags ?? ''
  }
  if (typeof pattern !== 'string' || typeof flags !== 'string') return null
  const key = `${flags}/${pattern}`
  let regex = regexCache.get(key)
  if (regex === undefined) {
    try {
      regex = new RegExp(pattern, flags.replace(/[gy]/g, ''))
    } catch {
      regex = null
    }
    regexCache.set(key, regex)
  }
  return regex
}

function regexProblem(value: unknown): string | undefined {
  const pattern = typeof value === 'string' ? value : (value as RegexValue | null)?.pattern
  const flags = typeof value === 'string' ? '' : (value as RegexValue | null)?.flags
  if (typeof pattern !== 'string')
    return 'expected a regular expression string or {"pattern": "...", "flags": "i"}'
  try {
    new RegExp(pattern, flags ?? '')
  } catch (error) {
    return (error as Error).message
  }
  return undefined
}

const expectString = (value: unknown) => (typeof value === 'string' ? undefined : 'expected a string value')

export const CUSTOM_OPERATORS: readonly CustomOperator[] = [
  {
    name: 'matches',
    description:
      'the fact is a string matching the regular expression in `value` (a string, or {pattern, flags})',
    evaluate: (fact, value) => {
      if (typeof fact !== 'string') return false
      const regex = regexFor(value)
      return regex?.test(fact) === true
    },
    checkValue: regexProblem,
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
]
