import { RE2JS } from 're2js'

/**
 * User-supplied regular expressions (`matches` in rules; later the `=~`/`!~` silence matchers), compiled with RE2
 * semantics by re2js: matching time is linear in the input, so no pattern and no event can stall a cycle (a
 * backtracking engine takes minutes on `^(a+)+$` against 34 `a`s and a `b`). The syntax differences from
 * JavaScript's RegExp are listed in docs/regex.md.
 */

/** `search`: the pattern may match anywhere (RegExp.test; `matches`). `full`: it must match the whole text. */
export type RegexMode = 'search' | 'full'

export interface SafeRegex {
  readonly pattern: string
  readonly flags: string
  readonly mode: RegexMode
  test(text: string): boolean
}

export type CompiledRegex = { ok: true; regex: SafeRegex } | { ok: false; message: string }

const FLAG_BITS: Readonly<Record<string, number>> = {
  i: RE2JS.CASE_INSENSITIVE,
  m: RE2JS.MULTILINE,
  s: RE2JS.DOTALL,
  // RE2 always matches by code point, as JavaScript does with `u`.
  u: 0,
  // A yes/no test has no position or match indices to keep: `g`, `y` and `d` change nothing.
  g: 0,
  y: 0,
  d: 0,
}
const SUPPORTED_FLAGS = 'i, m, s, u (g, y and d are accepted and change nothing)'

function flagBits(flags: string): number | string {
  let bits = 0
  const seen = new Set<string>()
  for (const flag of flags) {
    if (seen.has(flag)) return `flag "${flag}" given twice`
    seen.add(flag)
    const bit = FLAG_BITS[flag]
    if (bit === undefined)
      return flag === 'v'
        ? 'flag "v" (Unicode sets) is not supported by RE2; use "u"'
        : `unknown flag ${JSON.stringify(flag)} (supported: ${SUPPORTED_FLAGS})`
    bits |= bit
  }
  return bits
}

/**
 * RE2JS errors read "error parsing regexp: invalid escape sequence: `\\1`". Keep what follows the prefix and, for
 * the JavaScript constructs RE2 leaves out on purpose, say so (judged from the part RE2 names, not the whole pattern).
 */
function describe(error: unknown): string {
  const text = (error instanceof Error ? error.message : String(error)).replace(
    /^error parsing regexp:\s*/,
    '',
  )
  const part = /`([\s\S]*)`$/.exec(text)?.[1] ?? ''
  if (/^\(\?<?[=!]/.test(part)) return `${text} (lookahead and lookbehind are not supported)`
  if (/^\\([1-9]|k)/.test(part)) return `${text} (backreferences are not supported)`
  if (/^\\u/.test(part)) return `${text} (write \\x{00e9} for a code point, or the character itself)`
  if (part.startsWith('[^]')) return `${text} (write [\\s\\S] or (?s:.) for any character)`
  return text
}

function build(pattern: string, flags: string, mode: RegexMode): CompiledRegex {
  const bits = flagBits(flags)
  if (typeof bits === 'string') return { ok: false, message: `invalid regular expression flags: ${bits}` }
  let re: RE2JS
  try {
    re = RE2JS.compile(pattern, bits)
  } catch (error) {
    return {
      ok: false,
      message: `invalid regular expression (RE2 syntax): ${describe(error)}`,
    }
  }
  const test = mode === 'full' ? (text: string) => re.testExact(text) : (text: string) => re.test(text)
  return { ok: true, regex: { pattern, flags, mode, test } }
}

/**
 * Compiled patterns, bounded: rule patterns are few, but a pattern can also come from an event (`swap:matches`, a
 * `{"fact": ...}` value), and those must not grow memory without end. Oldest entries go first.
 */
const CACHE_MAX = 2048
const cache = new Map<string, CompiledRegex>()

/** Compile a user pattern with RE2 semantics (cached). Never throws: an invalid pattern gives `ok: false`. */
export function compileRegex(pattern: string, flags = '', mode: RegexMode = 'search'): CompiledRegex {
  // Unambiguous: a fixed mode word, then the flags' length, so no pattern can pass for other flags.
  const key = `${mode}${flags.length}/${flags}/${pattern}`
  let entry = cache.get(key)
  if (entry === undefined) {
    entry = build(pattern, flags, mode)
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!)
    cache.set(key, entry)
  }
  return entry
}

/** The problem with a pattern, or undefined when RE2 compiles it (for validation messages). */
export function regexProblem(pattern: string, flags = ''): string | undefined {
  const compiled = compileRegex(pattern, flags)
  return compiled.ok ? undefined : compiled.message
}
