import { compileRegex } from '../rules/safe-regex.js'
import type { Labels } from './labels.js'

/**
 * Label matchers in Alertmanager's syntax: `name=value`, `name!=value`, `name=~regex`, `name!~regex`.
 * - A name is `[a-zA-Z_][a-zA-Z0-9_.]*` (dots for `device_custom_metadata.site`), or any text in double quotes.
 * - A value is the rest, trimmed, or a double-quoted string. In both, `\"`, `\\` and `\n` are escapes and any
 *   other backslash is literal (so `dev_\d+` needs no doubling); an unescaped `"` inside a value is an error.
 * - Regexes are RE2 (linear time, no backreferences or lookaround) and fully anchored: `=~"dev_.*"` must match the
 *   whole value. An absent label matches as the empty string.
 */
export type MatchOp = '=' | '!=' | '=~' | '!~'

export interface Matcher {
  readonly name: string
  readonly op: MatchOp
  readonly value: string
  /** Does the label value (the empty string for an absent label) satisfy this matcher? */
  matches(value: string): boolean
}

/** A matcher text that does not parse; the message names the matcher and what was expected. */
export class MatcherSyntaxError extends Error {
  constructor(
    readonly text: string,
    detail: string,
  ) {
    super(`matcher ${JSON.stringify(text)}: ${detail}`)
    this.name = 'MatcherSyntaxError'
  }
}

const NAME = /^[a-zA-Z_][a-zA-Z0-9_.]*$/
const PLAIN_NAME = /^[a-zA-Z_][a-zA-Z0-9_.]*/
const PLAIN_VALUE = /^[A-Za-z0-9_.:/@+-]+$/
const OPS: readonly MatchOp[] = ['=~', '!~', '!=', '=']
const EXPECTED =
  'expected name, operator (=, !=, =~ or !~) and value, like rule=low-battery or site=~"hq|lab"'

/** Undo `\"`, `\\`, `\n`; `quoted` text must end at its closing quote, which `end` reports. */
function readEscaped(text: string, from: number, quoted: boolean): { value: string; end: number } | string {
  let value = ''
  for (let i = from; i < text.length; i++) {
    const ch = text[i]!
    if (ch === '\\' && i + 1 < text.length) {
      const next = text[i + 1]!
      if (next === 'n' || next === '"' || next === '\\') {
        value += next === 'n' ? '\n' : next
        i++
        continue
      }
    }
    if (ch === '"')
      return quoted ? { value, end: i + 1 } : 'a value with a double quote must be quoted: "..."'
    value += ch
  }
  return quoted ? 'a closing double quote' : { value, end: text.length }
}

export function parseMatcher(text: string): Matcher {
  const fail = (detail: string): never => {
    throw new MatcherSyntaxError(text, detail)
  }
  let at = text.length - text.trimStart().length
  let name: string
  if (text[at] === '"') {
    const quoted = readEscaped(text, at + 1, true)
    if (typeof quoted === 'string') return fail(`expected ${quoted} after the label name`)
    if (quoted.value === '') return fail('expected a non-empty label name')
    name = quoted.value
    at = quoted.end
  } else {
    name = PLAIN_NAME.exec(text.slice(at))?.[0] ?? ''
    if (!name) return fail(`${EXPECTED}; a label name is [a-zA-Z_][a-zA-Z0-9_.]* or quoted`)
    at += name.length
  }
  while (text[at] === ' ' || text[at] === '\t') at++
  const op = OPS.find((candidate) => text.startsWith(candidate, at))
  if (!op) {
    const came = text.slice(at, at + 8)
    return fail(
      `${EXPECTED}; after the name ${JSON.stringify(name)} came ${JSON.stringify(came)} (quote a name with other characters)`,
    )
  }
  const rest = text.slice(at + op.length).trim()
  let value: string
  if (rest.startsWith('"')) {
    const quoted = readEscaped(rest, 1, true)
    if (typeof quoted === 'string') return fail(`expected ${quoted} at the end of the value`)
    if (quoted.end !== rest.length) return fail('expected nothing after the closing quote of the value')
    value = quoted.value
  } else {
    const plain = readEscaped(rest, 0, false)
    if (typeof plain === 'string') return fail(plain)
    value = plain.value
  }
  return newMatcher(name, op, value, fail)
}

/** A matcher from its parts (e.g. from a stored silence); throws MatcherSyntaxError for an invalid regex. */
export function newMatcher(
  name: string,
  op: MatchOp,
  value: string,
  fail = (detail: string): never => {
    throw new MatcherSyntaxError(formatMatcher({ name, op, value }), detail)
  },
): Matcher {
  if (op === '=' || op === '!=') {
    const equal = op === '='
    return Object.freeze({ name, op, value, matches: (label: string) => (label === value) === equal })
  }
  // `full`: anchored at both ends, as Alertmanager's `^(?:regex)$` is.
  const compiled = compileRegex(value, '', 'full')
  if (!compiled.ok) return fail(compiled.message)
  const { regex } = compiled
  const positive = op === '=~'
  return Object.freeze({ name, op, value, matches: (label: string) => regex.test(label) === positive })
}

function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`
}

/** The canonical text of a matcher; `parseMatcher(formatMatcher(m))` gives back the same name, op and value. */
export function formatMatcher(matcher: Pick<Matcher, 'name' | 'op' | 'value'>): string {
  const name = NAME.test(matcher.name) ? matcher.name : quote(matcher.name)
  const value = PLAIN_VALUE.test(matcher.value) ? matcher.value : quote(matcher.value)
  return `${name}${matcher.op}${value}`
}

/** All matchers hold for the labels (an absent label is the empty string). */
export function matchesAll(matchers: readonly Matcher[], labels: Labels): boolean {
  for (const matcher of matchers) {
    if (!matcher.matches(Object.hasOwn(labels, matcher.name) ? labels[matcher.name]! : '')) return false
  }
  return true
}
