import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatMatcher, type MatchOp, matchesAll, newMatcher, parseMatcher } from '../../src/noise/matcher.js'

const parts = (text: string) => {
  const m = parseMatcher(text)
  return [m.name, m.op, m.value]
}

describe('matcher parsing', () => {
  it.each([
    ['rule=low-battery', ['rule', '=', 'low-battery']],
    ['  device_id != dev_1 ', ['device_id', '!=', 'dev_1']],
    ['device_custom_metadata.site=~"hq|lab"', ['device_custom_metadata.site', '=~', 'hq|lab']],
    ['event_type!~lock\\..*', ['event_type', '!~', 'lock\\..*']],
    ['device_id=~dev_\\d+', ['device_id', '=~', 'dev_\\d+']],
    ['comment="say \\"hi\\", then \\\\ and \\n"', ['comment', '=', 'say "hi", then \\ and \n']],
    ['name=', ['name', '=', '']],
    ['name=""', ['name', '=', '']],
    ['"device_custom_metadata.site-id"=7', ['device_custom_metadata.site-id', '=', '7']],
    ['a=b=c', ['a', '=', 'b=c']],
  ])('%s', (text, expected) => {
    expect(parts(text)).toEqual(expected)
  })

  it.each([
    ['', /matcher "": expected name, operator/],
    ['1rule=x', /a label name is \[a-zA-Z_\]/],
    ['rule', /after the name "rule" came ""/],
    ['site-id=7', /after the name "site" came "-id=7" \(quote a name/],
    ['rule==x"', /must be quoted/],
    ['rule="x', /expected a closing double quote at the end of the value/],
    ['rule="x" y', /expected nothing after the closing quote/],
    ['"rule=x', /expected a closing double quote after the label name/],
    ['""=x', /non-empty label name/],
    ['rule=~(', /matcher "rule=~\(": invalid regular expression \(RE2 syntax\): missing closing \)/],
    ['rule=~(?=x)', /invalid regular expression \(RE2 syntax\)/],
    ['rule=~(a)\\1', /invalid regular expression \(RE2 syntax\)/],
  ])('rejects %j', (text, message) => {
    expect(() => parseMatcher(text)).toThrow(message)
  })

  it('prints a canonical form that parses back to the same matcher (property)', () => {
    const op = fc.constantFrom<MatchOp>('=', '!=', '=~', '!~')
    const tricky = fc.constantFrom('a', '"', '\\', 'n', ' ', '=', '.', '~', '!', '\n', 'é')
    const text = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: tricky }))
    const regex = fc.constantFrom('', '.*', 'a|b', 'dev_\\d+', '"quoted"', 'x\\\\y', '[ -~]+', '\\n|\\t')
    // (Mapping or filtering these arbitraries makes fast-check very slow; an empty name is replaced in the body.)
    fc.assert(
      fc.property(text, fc.boolean(), op, text, regex, (rawName, regexOp, anyOp, plain, pattern) => {
        const name = rawName || 'x'
        const op: MatchOp = regexOp ? anyOp : anyOp === '=~' ? '=' : anyOp === '!~' ? '!=' : anyOp
        const value = op === '=~' || op === '!~' ? pattern : plain
        const printed = formatMatcher({ name, op, value })
        expect(parts(printed)).toEqual([name, op, value])
        expect(formatMatcher(parseMatcher(printed))).toBe(printed)
      }),
      { numRuns: 300 },
    )
  })
})

describe('matching', () => {
  it('anchors regexes at both ends and treats an absent label as the empty string', () => {
    const labels = { rule: 'low-battery', device_id: 'dev_12' }
    const yes = [
      'rule=low-battery',
      'device_id=~dev_\\d+',
      'device_id!~dev_1',
      'site!=hq',
      'site=',
      'site=~.*',
    ]
    const no = ['rule=low', 'rule=~low', 'rule=~battery', 'device_id=~dev_1', 'site=~.+', 'site=hq']
    for (const text of yes) expect(matchesAll([parseMatcher(text)], labels), text).toBe(true)
    for (const text of no) expect(matchesAll([parseMatcher(text)], labels), text).toBe(false)
    expect(matchesAll([parseMatcher('rule=low-battery'), parseMatcher('site=hq')], labels)).toBe(false)
    expect(matchesAll([], labels)).toBe(true)
  })

  it('agrees with an anchored JavaScript RegExp on patterns both engines read alike (property)', () => {
    const piece = fc.constantFrom('a', 'b', '.', 'a*', 'b+', '(a|b)', '[ab]', 'c?', '(ab)*')
    const pattern = fc.array(piece, { minLength: 1, maxLength: 5 }).map((p) => p.join(''))
    const value = fc.string({ unit: fc.constantFrom('a', 'b', 'c'), maxLength: 8 })
    fc.assert(
      fc.property(pattern, value, (p, v) => {
        expect(newMatcher('x', '=~', p).matches(v)).toBe(new RegExp(`^(?:${p})$`).test(v))
      }),
      { numRuns: 300 },
    )
  })

  it('matches in linear time: a pattern that makes a backtracking engine hang answers at once', () => {
    const matcher = parseMatcher('x=~(a+)+')
    expect(matcher.matches(`${'a'.repeat(5000)}b`)).toBe(false)
    expect(matcher.matches('a'.repeat(5000))).toBe(true)
  })
})
