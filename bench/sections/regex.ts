import type { Engine } from 'json-rules-engine'
import { compileCondition } from '../../src/rules/condition-compiler.js'
import type { TopCondition } from '../../src/rules/condition-types.js'
import { createEngine } from '../../src/rules/engine-factory.js'
import { compileRegex } from '../../src/rules/safe-regex.js'
import { createPrng } from '../prng.js'
import { type BenchOptions, row, say } from '../report.js'

/**
 * Section 6: what RE2 (re2js, linear time) costs `matches` against V8's backtracking RegExp, per test and per event
 * through compiled rules, and what it buys on a catastrophic pattern. In-process: the figures are CPU-bound loops.
 */
const PATTERNS: { pattern: string; flags: string }[] = [
  { pattern: '^front', flags: '' },
  { pattern: 'door', flags: 'i' },
  { pattern: 'lock-[0-9]{3}$', flags: '' },
  { pattern: '^(lobby|garage|office)-', flags: '' },
  { pattern: '\\b(east|west)\\b', flags: '' },
  { pattern: '^[A-Z][a-z]+ [A-Z][a-z]+ [0-9]+$', flags: '' },
]
const PLACES = ['Front', 'Lobby', 'Garage', 'Office', 'Back']
const KINDS = ['Door', 'Gate', 'lock', 'Sensor']

function subjects(count: number): string[] {
  const prng = createPrng(11)
  return Array.from({ length: count }, (_, i) => {
    const place = prng.pick(PLACES)
    const kind = prng.pick(KINDS)
    const n = String(prng.int(1000)).padStart(3, '0')
    return i % 3 === 0
      ? `${place} ${kind} ${n}`
      : `${place.toLowerCase()}-${kind.toLowerCase()}-${n}${i % 2 ? ' east' : ''}`
  })
}

/** Calls per second of `fn` over the items, best of `reps` (each at least ~`minMs`). */
function rate<T>(items: readonly T[], fn: (item: T) => boolean, reps: number, minMs: number): number {
  let best = 0
  let sink = 0
  for (let rep = 0; rep < reps; rep++) {
    let calls = 0
    const start = performance.now()
    let elapsed = 0
    while (elapsed < minMs) {
      for (const item of items) if (fn(item)) sink++
      calls += items.length
      elapsed = performance.now() - start
    }
    best = Math.max(best, (calls / elapsed) * 1000)
  }
  if (sink < 0) say('') // keeps `sink` observable
  return Math.round(best)
}

/** An engine whose `matches` is V8's RegExp (what seam-alerts used before RE2), for comparison only. */
function v8Engine(): Engine {
  const engine = createEngine()
  const cache = new Map<string, RegExp>()
  engine.addOperator('matches', (fact: unknown, value: unknown) => {
    if (typeof fact !== 'string') return false
    const { pattern, flags } = value as { pattern: string; flags: string }
    const key = `${flags}/${pattern}`
    let re = cache.get(key)
    if (!re) {
      re = new RegExp(pattern, flags)
      cache.set(key, re)
    }
    return re.test(fact)
  })
  return engine
}

function timeMs(fn: () => unknown): number {
  const start = performance.now()
  fn()
  return Math.round((performance.now() - start) * 100) / 100
}

export interface RegexFigures {
  per_test: { pattern: string; re2_per_s: number; v8_per_s: number }[]
  rules: number
  events_per_s: { re2: number; v8: number }
  redos_re2_ms: { a34_b: number; a100k_b: number }
  redos_v8_ms: Record<string, number>
}

export async function regexSection(opts: BenchOptions): Promise<RegexFigures> {
  const minMs = opts.quick ? 100 : 500
  const reps = opts.quick ? 1 : 3
  const texts = subjects(2000)
  say('\n## 6. Regular expressions: RE2 (re2js, linear time) vs V8 RegExp (backtracking), in process')
  const widths = [36, 14, 14, 8]
  say(row(['pattern', 'RE2 tests/s', 'V8 tests/s', 'V8/RE2'], widths))
  const perTest: RegexFigures['per_test'] = []
  for (const { pattern, flags } of PATTERNS) {
    const compiled = compileRegex(pattern, flags)
    if (!compiled.ok) throw new Error(compiled.message)
    const native = new RegExp(pattern, flags)
    const re2 = rate(texts, (text) => compiled.regex.test(text), reps, minMs)
    const v8 = rate(texts, (text) => native.test(text), reps, minMs)
    perTest.push({ pattern: `/${pattern}/${flags}`, re2_per_s: re2, v8_per_s: v8 })
    say(row([`/${pattern}/${flags}`, re2, v8, `${Math.round((v8 / re2) * 10) / 10}x`], widths))
  }

  // Per event: 100 compiled rules, each `device_name matches <one of the patterns>` and a selective equality.
  const ruleCount = 100
  const conditions: TopCondition[] = Array.from({ length: ruleCount }, (_, i) => ({
    all: [
      { fact: 'device_name', operator: 'matches', value: PATTERNS[i % PATTERNS.length]! },
      { fact: 'workspace_id', operator: 'equal', value: `ws_${i % 3}` },
    ],
  }))
  const events = texts.map((name, i) => ({ device_name: name, workspace_id: `ws_${i % 3}` }))
  const perEvent = (engine?: Engine) => {
    const predicates = conditions.map((condition) => compileCondition(condition, engine)!)
    return rate(
      events,
      (event) => {
        let fired = false
        for (const predicate of predicates) if (predicate(event)) fired = true
        return fired
      },
      reps,
      minMs,
    )
  }
  const eventsPerSec = { re2: perEvent(), v8: perEvent(v8Engine()) }
  say(
    `${ruleCount} compiled rules with a \`matches\` each, every rule per event: RE2 ${eventsPerSec.re2.toLocaleString('en-US')} events/s, V8 ${eventsPerSec.v8.toLocaleString('en-US')} events/s`,
  )

  // The issue's reproduction: ^(a+)+$ against a run of `a`s and a `b`. V8 doubles with every `a` (34 takes minutes).
  const redos = compileRegex('^(a+)+$')
  if (!redos.ok) throw new Error(redos.message)
  const redosRe2 = {
    a34_b: timeMs(() => redos.regex.test(`${'a'.repeat(34)}b`)),
    a100k_b: timeMs(() => redos.regex.test(`${'a'.repeat(100_000)}b`)),
  }
  const redosV8: Record<string, number> = {}
  for (const n of opts.quick ? [18, 20, 22] : [20, 22, 24]) {
    const text = `${'a'.repeat(n)}b`
    redosV8[`a${n}_b`] = timeMs(() => /^(a+)+$/.test(text))
  }
  say(
    `/^(a+)+$/ on a…ab: RE2 ${redosRe2.a34_b} ms (34 a's), ${redosRe2.a100k_b} ms (100,000 a's); V8 ${Object.entries(
      redosV8,
    )
      .map(([k, ms]) => `${ms} ms (${k.slice(1, -2)} a's)`)
      .join(', ')}: x4 per 2 a's, so minutes at 34`,
  )
  return {
    per_test: perTest,
    rules: ruleCount,
    events_per_s: eventsPerSec,
    redos_re2_ms: redosRe2,
    redos_v8_ms: redosV8,
  }
}
