import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { findJsonSyntaxError } from '../../src/input/json-syntax.js'
import { parseJsonText } from '../../src/input/json-text.js'

const failure = (text: string) => {
  const result = parseJsonText(text)
  return result.ok ? undefined : result.message
}

describe('invalid JSON: one line, with line and column', () => {
  it.each([
    // V8 reports no position for these: the snippet it quotes used to spread the message over several lines.
    [
      '{\n "id": "x",\n "eventTypes": [\n}\n',
      'invalid JSON at line 4 column 1: unexpected "}", expected a value',
    ],
    ['[1,\n]', 'invalid JSON at line 2 column 1: unexpected "]", expected a value'],
    ['{\n  "a": tru\n}', 'invalid JSON at line 2 column 8: unexpected "t", expected a value'],
    [
      '{\n  "id": "x",\n  oops\n}',
      'invalid JSON at line 3 column 3: unexpected "o", expected a property name in double quotes',
    ],
    [
      '{"a": 1,}',
      'invalid JSON at line 1 column 9: unexpected "}", expected a property name in double quotes',
    ],
    ['{"a" 1}', 'invalid JSON at line 1 column 6: unexpected "1", expected ":" after the property name'],
    ['{\n  "a": 1\n', 'invalid JSON at line 3 column 1: unexpected end of input, expected "," or "}"'],
    ['{"a": "x\ny"}', 'invalid JSON at line 1 column 9: line break inside a string (write it as \\n)'],
    ['{"a": 1}\n}', 'invalid JSON at line 2 column 1: unexpected "}" after the end of the JSON value'],
    ['\uFEFF{}', 'invalid JSON at line 1 column 1: unexpected character U+FEFF, expected a value'],
    ['', 'invalid JSON at line 1 column 1: unexpected end of input, expected a value'],
  ])('%j', (text, expected) => {
    expect(failure(text)).toBe(expected)
  })

  it('deep nesting does not overflow the stack', () => {
    expect(failure('['.repeat(200_000))).toMatch(
      /^invalid JSON at line 1 column 200001: unexpected end of input/,
    )
  })

  it('agrees with JSON.parse on what is valid, and every message is one line with a position', () => {
    const jsonish = fc.oneof(
      fc.json(),
      fc.string({ unit: fc.constantFrom(...'{}[]:," \n\t0123456789-+.eEtrufalsn\\/ubx'.split('')) }),
      fc
        .json()
        .chain((text) =>
          fc
            .tuple(fc.nat(text.length), fc.nat(text.length))
            .map(([a, b]) => text.slice(0, a) + text.slice(b)),
        ),
    )
    fc.assert(
      fc.property(jsonish, (text) => {
        let valid = true
        try {
          JSON.parse(text)
        } catch {
          valid = false
        }
        const found = findJsonSyntaxError(text)
        expect(found === undefined).toBe(valid)
        if (found) {
          expect(found.offset).toBeGreaterThanOrEqual(0)
          expect(found.offset).toBeLessThanOrEqual(text.length)
          expect(failure(text)).toMatch(/^invalid JSON at line \d+ column \d+: [^\n\r]+$/)
        }
      }),
      { numRuns: 3000 },
    )
  })
})

describe('invalid escapes', () => {
  it('show the escaped character without breaking the line (found by the property test: "\\ + newline)', () => {
    expect(failure('"\\\n')).toBe(
      'invalid JSON at line 1 column 2: bad escape in string: backslash before character U+000A',
    )
    expect(failure('"\\x"')).toBe(
      'invalid JSON at line 1 column 2: bad escape in string: backslash before "x"',
    )
  })
})
