import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compileCondition } from '../../src/rules/condition-compiler.js'
import type { Condition, TopCondition } from '../../src/rules/condition-types.js'
import { EngineMatcher } from '../../src/rules/engine-matcher.js'

/**
 * Property: for generated conditions and events, the compiled predicate and a real json-rules-engine Engine
 * (with the same operators and path resolver) agree. Operator/value pairs that json-rules-engine itself would
 * throw on (e.g. `in` with a number) are excluded, as validation rejects them.
 */
const FACTS = ['a', 'b', 'meta', 'list', 'constructor', 'missing']
const PATHS = [undefined, '$', '$.x', '$.x.y', '$.list[0]', '$["odd key"]', '$.length']

/** Times for inTimeInterval: around the Europe/Berlin DST change of 2026-03-29 (01:00 UTC) and a month's end. */
const TIMES = [
  '2026-03-29T00:59:00Z',
  '2026-03-29T01:00:00Z',
  '2026-03-29T07:30:00+02:00',
  '2026-03-31T23:30:00Z',
  '2026-02-28T12:00:00Z',
  'not a time',
]
const INTERVALS: unknown[] = [
  { weekdays: ['sunday'], times: [{ start_time: '02:00', end_time: '08:00' }], location: 'Europe/Berlin' },
  [{ days_of_month: ['-1'] }, { months: ['march'], years: ['2026'], location: 'Europe/Berlin' }],
  { days_of_month: ['-3:-1'], location: 'Europe/Berlin' },
  { times: [{ start_time: '00:00', end_time: '01:00' }] },
  'business-hours', // an unresolved name: matches nothing on either path
  { weekdays: ['funday'] }, // invalid (validation rejects it): matches nothing on either path
]

const primitive = fc.oneof(
  fc.integer({ min: -3, max: 3 }),
  fc.constantFrom(0.5, -0.5, 1e9, Date.parse('2026-03-29T01:30:00Z')),
  fc.constantFrom('', 'x', 'ab', 'abc', 'b', '1', 'X', ...TIMES),
  fc.boolean(),
  fc.constant(null),
)
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  any: fc.oneof({ depthSize: 'small' }, primitive, tie('array'), tie('object')),
  array: fc.array(tie('any'), { maxLength: 3 }),
  object: fc.record({ x: tie('any'), y: tie('any'), 'odd key': tie('any') }, { requiredKeys: [] }),
})).any

const scalarOps = [
  'equal',
  'notEqual',
  'contains',
  'doesNotContain',
  'lessThan',
  'lessThanInclusive',
  'greaterThan',
  'greaterThanInclusive',
  'not:equal',
  'someFact:equal',
  'everyFact:greaterThan',
  'swap:contains',
  'someFact:startsWith',
]
const leaf: fc.Arbitrary<Condition> = fc
  .oneof(
    fc.record({
      fact: fc.constantFrom(...FACTS),
      operator: fc.constantFrom(...scalarOps),
      value: primitive,
      path: fc.constantFrom(...PATHS),
    }),
    fc.record({
      fact: fc.constantFrom(...FACTS),
      operator: fc.constantFrom('in', 'notIn', 'someValue:equal', 'everyValue:notEqual', 'between'),
      value: fc.array(primitive, { maxLength: 3 }),
      path: fc.constantFrom(...PATHS),
    }),
    fc.record({
      fact: fc.constantFrom(...FACTS),
      operator: fc.constantFrom(
        'matches',
        'not:matches',
        'someFact:matches',
        'startsWith',
        'endsWith',
        'includesText',
      ),
      value: fc.constantFrom(
        'a',
        '^a',
        'b$',
        '[0-9]',
        'x',
        '^(a+)+$',
        '(?i)^x',
        '^\\s*$',
        { pattern: 'A', flags: 'i' },
        { pattern: '^.$', flags: 's' },
      ),
      path: fc.constantFrom(...PATHS),
    }),
    fc.record({ fact: fc.constantFrom(...FACTS), operator: fc.constant('exists'), value: fc.boolean() }),
    fc.record({
      fact: fc.constantFrom(...FACTS),
      operator: fc.constantFrom('inTimeInterval', 'not:inTimeInterval', 'someFact:inTimeInterval'),
      value: fc.constantFrom<unknown>(...INTERVALS),
      path: fc.constantFrom(...PATHS),
    }),
    fc.record({
      fact: fc.constantFrom(...FACTS),
      operator: fc.constantFrom('equal', 'lessThan'),
      value: fc.record({ fact: fc.constantFrom(...FACTS), path: fc.constantFrom(...PATHS) }),
    }),
  )
  .map((c) => JSON.parse(JSON.stringify(c)) as Condition)

const condition: fc.Arbitrary<Condition> = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.record({ all: fc.array(tie('node'), { maxLength: 3 }) }),
    fc.record({ any: fc.array(tie('node'), { maxLength: 3 }) }),
    fc.record({ not: tie('node') }),
  ),
})).node as fc.Arbitrary<Condition>

const top: fc.Arbitrary<TopCondition> = fc.oneof(
  fc.record({ all: fc.array(condition, { maxLength: 4 }) }),
  fc.record({ any: fc.array(condition, { maxLength: 4 }) }),
  fc.record({ not: condition }),
)

const event = fc.record(
  { a: value, b: value, meta: value, list: value, constructor: primitive },
  { requiredKeys: [] },
)

describe('compiled conditions == json-rules-engine', () => {
  it('agree on generated conditions and events', async () => {
    await fc.assert(
      fc.asyncProperty(top, fc.array(event, { minLength: 1, maxLength: 4 }), async (conditions, events) => {
        const compiled = compileCondition(conditions)
        expect(compiled).not.toBeNull()
        const engine = new EngineMatcher(conditions)
        for (const e of events) {
          const plain = JSON.parse(JSON.stringify(e)) as Record<string, unknown>
          expect(compiled!(plain)).toBe(await engine.match(plain))
        }
      }),
      { numRuns: 400 },
    )
  })

  it('hands condition references to the engine (not compiled)', () => {
    expect(compileCondition({ all: [{ condition: 'shared' }] })).toBeNull()
  })
})
