import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { compileCondition } from '../../src/rules/condition-compiler.js'
import type { TopCondition } from '../../src/rules/condition-types.js'
import { EngineMatcher } from '../../src/rules/engine-matcher.js'
import {
  MAX_CONDITION_DEPTH,
  MAX_EXPANDED_CONDITIONS,
  MAX_JSON_DEPTH,
} from '../../src/rules/nesting-limit.js'
import { parseRuleValue } from '../../src/rules/rule-parse.js'
import { type DaemonProcess, spawnCli } from '../daemon/helpers/daemon-process.js'

/** Issue 17, item 11: conditions nested ~800 deep crashed `validate` with a RangeError and no file name. */
const leaf = { fact: 'device_id', operator: 'exists', value: true }

/** `{"all": [{"all": [... leaf]}]}`, `levels` condition levels in all (the outermost is level 1). */
function nestedAll(levels: number): unknown {
  let node: unknown = leaf
  for (let i = 1; i < levels; i++) node = { all: [node] }
  return node
}

const rule = (id: string, extra: Record<string, unknown>) => ({
  id,
  eventTypes: ['device.low_battery'],
  ...extra,
})
const allPath = (levels: number) => `$.conditions${'.all[0]'.repeat(levels - 1)}`

const dirs: string[] = []
const children: DaemonProcess[] = []
afterEach(async () => {
  for (const child of children.splice(0)) if (child.child.exitCode === null) child.kill('SIGKILL')
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})

describe('rule nesting limit', () => {
  it('validate names the file and the path of every too-deep rule, with no stack trace', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'nesting-'))
    dirs.push(dir)
    let not: unknown = leaf
    for (let i = 0; i < 1000; i++) not = { not: not }
    const shared: Record<string, unknown> = {}
    for (let i = 0; i < 3000; i++) shared[`s${i}`] = { all: [i < 2999 ? { condition: `s${i + 1}` } : leaf] }
    const files: Record<string, string> = {
      'a-all.json': JSON.stringify(rule('a-all', { conditions: nestedAll(1000) })),
      'b-not.json': JSON.stringify(rule('b-not', { conditions: { all: [not] } })),
      'c-chain.json': JSON.stringify(
        rule('c-chain', { sharedConditions: shared, conditions: { condition: 's0' } }),
      ),
      // 100,000 levels of arrays in a value: written by hand, JSON.stringify itself would overflow.
      'd-value.json': `{"id": "d-value", "eventTypes": ["device.low_battery"], "conditions": {"all": [{"fact": "x", "operator": "equal", "value": ${'['.repeat(100_000)}${']'.repeat(100_000)}}]}}`,
      'e-limit.json': JSON.stringify(rule('e-limit', { conditions: nestedAll(MAX_CONDITION_DEPTH) })),
    }
    for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text)
    const validate = spawnCli(['validate', '--rules', dir])
    children.push(validate)
    const { code } = await validate.exited
    expect(validate.stderr()).toBe('')
    // `validate` exits 1 on any problem (its documented contract), as for every other invalid rule file.
    expect(code).toBe(1)
    const limit = `(the limit is ${MAX_CONDITION_DEPTH})`
    expect(validate.stdout().trim().split('\n')).toEqual([
      `${path.join(dir, 'a-all.json')}: ${allPath(MAX_CONDITION_DEPTH + 1)}: conditions nested more than ${MAX_CONDITION_DEPTH} levels deep ${limit}`,
      `${path.join(dir, 'b-not.json')}: $.conditions.all[0]${'.not'.repeat(MAX_CONDITION_DEPTH - 1)}: conditions nested more than ${MAX_CONDITION_DEPTH} levels deep ${limit}`,
      `${path.join(dir, 'c-chain.json')}: $.conditions.condition: conditions nested more than ${MAX_CONDITION_DEPTH} levels deep once shared condition "s0" is put in place ${limit}`,
      `${path.join(dir, 'd-value.json')}: $.conditions.all[0].value${'[0]'.repeat(MAX_JSON_DEPTH - 4)}: JSON nested more than ${MAX_JSON_DEPTH} levels deep (the limit is ${MAX_JSON_DEPTH})`,
      `4 problem(s) in ${dir}`,
    ])
  }, 60_000)

  it('a rule at the limit is valid and runs, on its own and through shared conditions', async () => {
    expect(parseRuleValue(rule('x', { conditions: nestedAll(MAX_CONDITION_DEPTH) }), 'x.json')).toMatchObject(
      {
        issues: [],
        rule: { id: 'x' },
      },
    )
    // A reference at level L to a shared condition `height` levels deep reaches level L - 1 + height.
    const height = MAX_CONDITION_DEPTH / 2
    const shared = { inner: nestedAll(height) }
    const wrapped = (levels: number) => {
      let node: unknown = { condition: 'inner' }
      for (let i = 0; i < levels; i++) node = { all: [node] }
      return node
    }
    const atLimit = wrapped(MAX_CONDITION_DEPTH - height)
    expect(
      parseRuleValue(rule('y', { sharedConditions: shared, conditions: atLimit }), 'y.json').issues,
    ).toEqual([])
    // ...and evaluates, compiled and through json-rules-engine's references.
    const deepest = nestedAll(MAX_CONDITION_DEPTH) as TopCondition
    expect(compileCondition(deepest)!({ device_id: 'd' })).toBe(true)
    const engine = new EngineMatcher(atLimit as TopCondition, shared as Record<string, TopCondition>)
    expect(await engine.match({ device_id: 'd' })).toBe(true)
    expect(await engine.match({})).toBe(false)
    const over = wrapped(MAX_CONDITION_DEPTH - height + 1)
    expect(
      parseRuleValue(rule('z', { sharedConditions: shared, conditions: over }), 'z.json').issues,
    ).toEqual([
      {
        file: 'z.json',
        path: `$.conditions${'.all[0]'.repeat(MAX_CONDITION_DEPTH - height + 1)}.condition`,
        message: `conditions nested more than ${MAX_CONDITION_DEPTH} levels deep once shared condition "inner" is put in place (the limit is ${MAX_CONDITION_DEPTH})`,
      },
    ])
  })

  it('diamond-shaped shared conditions are measured without walking every path', () => {
    // 2^40 paths through the references: only a per-name measure finishes.
    const shared: Record<string, unknown> = { s40: leaf }
    for (let i = 39; i >= 0; i--)
      shared[`s${i}`] = { any: [{ condition: `s${i + 1}` }, { condition: `s${i + 1}` }] }
    const parsed = parseRuleValue(
      rule('d', { sharedConditions: shared, conditions: { condition: 's0' } }),
      'd.json',
    )
    expect(parsed.issues.map((issue) => issue.path)).toEqual(['$.conditions.condition'])
  })

  it('shared conditions may not multiply into more than MAX_EXPANDED_CONDITIONS conditions', () => {
    // Ten levels of two references each: 1,024 leaves (and as many evaluations per event) from 11 short entries.
    const diamond = (levels: number) => {
      const shared: Record<string, unknown> = { [`s${levels}`]: { all: [leaf] } }
      for (let i = levels - 1; i >= 0; i--)
        shared[`s${i}`] = { any: [{ condition: `s${i + 1}` }, { condition: `s${i + 1}` }] }
      return shared
    }
    const ok = parseRuleValue(
      rule('ok', { sharedConditions: diamond(8), conditions: { condition: 's0' } }),
      'ok.json',
    )
    expect(ok.issues).toEqual([])
    const big = parseRuleValue(
      rule('big', { sharedConditions: diamond(10), conditions: { condition: 's0' } }),
      'b.json',
    )
    expect(big.issues).toEqual([
      {
        file: 'b.json',
        path: '$.conditions',
        message: `conditions expand to more than ${MAX_EXPANDED_CONDITIONS} conditions once the shared conditions they reference are put in place (the limit is ${MAX_EXPANDED_CONDITIONS}; each reference is evaluated again)`,
      },
    ])
  })
})
