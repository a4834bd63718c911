import { describe, expect, it } from 'vitest'
import { compileCondition } from '../../src/rules/condition-compiler.js'
import type { TopCondition } from '../../src/rules/condition-types.js'
import { EngineMatcher } from '../../src/rules/engine-matcher.js'

const check = (operator: string, value: unknown, fact: unknown) => {
  const conditions: TopCondition = { all: [{ fact: 'f', operator, value }] }
  return {
    compiled: compileCondition(conditions)!({ f: fact }),
    engine: new EngineMatcher(conditions).match({ f: fact }),
  }
}

describe('custom operators (compiled and on the engine)', () => {
  it.each([
    ['matches', '^front-', 'front-door', true],
    ['matches', '^front-', 'back-door', false],
    ['matches', { pattern: 'DOOR', flags: 'i' }, 'front-door', true],
    ['matches', { pattern: 'door', flags: 'g' }, 'door', true],
    ['matches', 'x', 42, false],
    ['startsWith', 'ab', 'abc', true],
    ['startsWith', 'bc', 'abc', false],
    ['endsWith', 'bc', 'abc', true],
    ['endsWith', 'bc', undefined, false],
    ['includesText', 'b', 'abc', true],
    ['includesText', 'b', ['b'], false],
    ['exists', true, 0, true],
    ['exists', true, null, false],
    ['exists', false, undefined, true],
    ['between', [1, 3], 1, true],
    ['between', [1, 3], 3, true],
    ['between', [1, 3], 3.01, false],
    ['between', [1, 3], '2', false],
    ['not:startsWith', 'ab', 'abc', false],
    ['someFact:endsWith', '.jpg', ['a.png', 'b.jpg'], true],
  ])('%s %j on %j -> %s', async (operator, value, fact, expected) => {
    const { compiled, engine } = check(operator, value, fact)
    expect(compiled).toBe(expected)
    expect(await engine).toBe(expected)
  })

  it('a stateful regex flag (g) never makes repeated tests alternate', () => {
    const predicate = compileCondition({
      all: [{ fact: 'f', operator: 'matches', value: { pattern: 'a', flags: 'g' } }],
    })!
    expect([predicate({ f: 'a' }), predicate({ f: 'a' }), predicate({ f: 'a' })]).toEqual([true, true, true])
  })
})
