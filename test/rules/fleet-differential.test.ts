import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Evaluator } from '../../src/rules/evaluator.js'
import { RuleSet } from '../../src/rules/rule-set.js'
import { emptyRuleState } from '../../src/rules/rule-state.js'
import type { SeamEvent } from '../../src/source/event.js'
import { MIN, T0 } from '../helpers/fixtures.js'
import { rule } from './helpers.js'

/**
 * Property: the evaluator's decisions for distinct-count windows, first-seen and rate-spike rules equal those of a
 * small reference model written here from the semantics in docs/fleet-rules.md, over generated event streams. The
 * events come in created_at order (as after replay's reorder buffer) with occurred_at up to 5 minutes earlier, so
 * occurred_at is out of order. The model keeps every event and filters at each step; nothing is shared with src/.
 */

interface Gen {
  type: string
  lagMs: number
  device: string | null
  site: string | null
  code: string | null
}

const genEvent: fc.Arbitrary<Gen> = fc.record({
  type: fc.constantFrom('x.hit', 'x.hit', 'x.hit', 'x.other'),
  lagMs: fc.constantFrom(0, 0, 0, 30_000, MIN, 2 * MIN, 5 * MIN),
  device: fc.constantFrom('d1', 'd2', 'd3', 'd4', 'd5', null),
  site: fc.constantFrom('HQ', 'Annex', null),
  code: fc.constantFrom('c1', 'c2', 'c3', null),
})

/** Events one minute apart in created_at; occurred_at = created_at - lag. Missing values are left out. */
function build(gens: Gen[], stepMs: number): SeamEvent[] {
  return gens.map((g, i) => {
    const created = T0 + i * stepMs
    const e: Record<string, unknown> = {
      event_id: `evt_${String(i).padStart(4, '0')}`,
      event_type: g.type,
      created_at: new Date(created).toISOString(),
      occurred_at: new Date(created - g.lagMs).toISOString(),
    }
    if (g.device !== null) e.device_id = g.device
    if (g.code !== null) e.access_code_id = g.code
    if (g.site !== null) e.device_custom_metadata = { site: g.site }
    return e as unknown as SeamEvent
  })
}

/** The model's own reading of a field or dotted path. */
function read(e: Record<string, unknown>, path: string): unknown {
  let v: unknown = e
  for (const part of path.split('.')) {
    if (typeof v !== 'object' || v === null || !(part in (v as object))) return null
    v = (v as Record<string, unknown>)[part]
  }
  return v === undefined ? null : v
}

interface Fire {
  event_id: string
  group: string
  count: number
  suppressed: number
  eventIds?: string[]
}

/** Throttle as the model sees it: one last-fire time and a suppressed count per group. */
function throttler(throttleMs: number | undefined) {
  const last = new Map<string, { at: number; suppressed: number }>()
  return (group: string, at: number, clock: number, fire: Omit<Fire, 'suppressed'>, out: Fire[]) => {
    if (throttleMs === undefined) return out.push({ ...fire, suppressed: 0 })
    let prev = last.get(group)
    // A throttle that ran out (by the clock: the latest occurred_at) with nothing suppressed is gone.
    if (prev && prev.suppressed === 0 && prev.at + throttleMs <= clock) prev = undefined
    if (prev && at < prev.at + throttleMs) {
      last.set(group, { at: prev.at, suppressed: prev.suppressed + 1 })
      return
    }
    last.set(group, { at, suppressed: 0 })
    out.push({ ...fire, suppressed: prev?.suppressed ?? 0 })
  }
}

function runReal(raw: Record<string, unknown>, events: SeamEvent[], firstSeenMax?: number): Fire[] {
  const r = rule({ eventTypes: ['x.hit'], ...raw })
  const evaluator = new Evaluator(RuleSet.from([r]), undefined, firstSeenMax ? { firstSeenMax } : {})
  const state = emptyRuleState()
  const out: Fire[] = []
  for (const e of events) {
    const decisions = evaluator.evaluate(state, e)
    if (!Array.isArray(decisions)) throw new Error('expected synchronous evaluation')
    for (const d of decisions) {
      const fire: Fire = {
        event_id: d.event_id,
        group: JSON.stringify(d.group),
        count: d.count,
        suppressed: d.suppressed,
      }
      if (d.eventIds) fire.eventIds = d.eventIds
      out.push(fire)
    }
    // Sweeps (as the daemon's housekeeping does) must not change any decision.
    if (e.event_id.endsWith('7')) evaluator.prune(state)
  }
  return out
}

const groupOf = (groupBy: string[], e: Record<string, unknown>) =>
  JSON.stringify(Object.fromEntries(groupBy.map((path) => [path, read(e, path)])))

function modelDistinct(
  groupBy: string[],
  w: { count: number; within: number; distinct: string },
  throttleMs: number | undefined,
  events: SeamEvent[],
): Fire[] {
  const out: Fire[] = []
  const throttle = throttler(throttleMs)
  const kept = new Map<string, { id: string; at: number; v: unknown }[]>()
  let clock = Number.NEGATIVE_INFINITY
  for (const ev of events) {
    const e = ev as unknown as Record<string, unknown>
    if (ev.event_type !== 'x.hit') continue
    const t = Date.parse(ev.occurred_at)
    clock = Math.max(clock, t)
    const group = groupOf(groupBy, e)
    const list = (kept.get(group) ?? []).filter((x) => x.at >= clock - w.within)
    list.push({ id: ev.event_id, at: t, v: read(e, w.distinct) })
    kept.set(group, list)
    const inRange = list.filter((x) => Math.abs(x.at - t) <= w.within)
    const distinct = new Set(inRange.filter((x) => x.v !== null).map((x) => JSON.stringify(x.v)))
    if (distinct.size < w.count) continue
    kept.delete(group)
    const eventIds = [...inRange].sort((a, b) => a.at - b.at).map((x) => x.id)
    throttle(group, t, clock, { event_id: ev.event_id, group, count: distinct.size, eventIds }, out)
  }
  return out
}

function modelFirstSeen(
  groupBy: string[],
  fs: { fields: string[]; remember: number; learnFor?: number },
  throttleMs: number | undefined,
  max: number,
  events: SeamEvent[],
): Fire[] {
  const out: Fire[] = []
  const throttle = throttler(throttleMs)
  const lastSeen = new Map<string, number>()
  let since: number | undefined
  let clock = Number.NEGATIVE_INFINITY
  for (const ev of events) {
    const e = ev as unknown as Record<string, unknown>
    if (ev.event_type !== 'x.hit') continue
    const t = Date.parse(ev.occurred_at)
    clock = Math.max(clock, t)
    since ??= t
    for (const [k, v] of lastSeen) if (v < clock - fs.remember) lastSeen.delete(k) // forgotten
    const tuple = JSON.stringify(fs.fields.map((f) => read(e, f)))
    const last = lastSeen.get(tuple)
    const isNew = last === undefined || last < t - fs.remember
    const learning = fs.learnFor !== undefined && t < since + fs.learnFor
    lastSeen.set(tuple, Math.max(last ?? t, t))
    if (lastSeen.size > max) {
      const oldest = [...lastSeen].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      for (const [k] of oldest.slice(0, lastSeen.size - (max - Math.floor(max / 10)))) lastSeen.delete(k)
    }
    if (isNew && !learning)
      throttle(
        groupOf(groupBy, e),
        t,
        clock,
        { event_id: ev.event_id, group: groupOf(groupBy, e), count: 1 },
        out,
      )
  }
  return out
}

function modelSpike(
  groupBy: string[],
  s: { within: number; factor: number; minCount: number; minReference: number },
  throttleMs: number | undefined,
  events: SeamEvent[],
): Fire[] {
  const out: Fire[] = []
  const throttle = throttler(throttleMs)
  const seen = new Map<string, { times: number[]; cut: number }>()
  let clock = Number.NEGATIVE_INFINITY
  for (const ev of events) {
    const e = ev as unknown as Record<string, unknown>
    if (ev.event_type !== 'x.hit') continue
    const t = Date.parse(ev.occurred_at)
    clock = Math.max(clock, t)
    const group = groupOf(groupBy, e)
    const g = seen.get(group) ?? { times: [], cut: Number.NEGATIVE_INFINITY }
    seen.set(group, g)
    if (t < clock - 2 * s.within || t <= g.cut) continue // too late, or before the last fire
    g.times = g.times.filter((x) => x >= clock - 2 * s.within)
    g.times.push(t)
    const cur = g.times.filter((x) => x > t - s.within && x <= t).length
    const ref = g.times.filter((x) => x > t - 2 * s.within && x <= t - s.within).length
    if (cur < s.minCount || ref < s.minReference || cur < s.factor * ref) continue
    g.cut = t
    g.times = g.times.filter((x) => x > t)
    throttle(group, t, clock, { event_id: ev.event_id, group, count: cur }, out)
  }
  return out
}

const groupBys = fc.constantFrom<string[]>([], ['device_custom_metadata.site'], ['device_id'])
const throttles = fc.constantFrom<string | undefined>(undefined, undefined, '3m', '20m')
const ms = (text: string) => Number.parseInt(text, 10) * (text.endsWith('h') ? 60 * MIN : MIN)
const streams = fc.array(genEvent, { minLength: 1, maxLength: 80 })
const RUNS = { numRuns: 300 }

describe('fleet rule kinds == reference model (generated streams, out-of-order occurred_at)', () => {
  it('distinct-count windows', () => {
    fc.assert(
      fc.property(
        streams,
        groupBys,
        throttles,
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom('3m', '10m', '30m'),
        fc.constantFrom('device_id', 'device_custom_metadata.site', 'access_code_id'),
        (gens, groupBy, throttle, count, within, distinct) => {
          const events = build(gens, MIN)
          const window = { count, within, distinct }
          const raw = { groupBy, window, ...(throttle ? { throttle } : {}) }
          const model = modelDistinct(
            groupBy,
            { count, within: ms(within), distinct },
            throttle ? ms(throttle) : undefined,
            events,
          )
          expect(runReal(raw, events)).toEqual(model)
        },
      ),
      RUNS,
    )
  })

  it('first seen (with learnFor, a small cap and throttles)', () => {
    fc.assert(
      fc.property(
        streams,
        groupBys,
        throttles,
        fc.constantFrom<string[]>(
          ['access_code_id'],
          ['device_id', 'access_code_id'],
          ['device_custom_metadata.site'],
        ),
        fc.constantFrom('5m', '20m', '1h'),
        fc.constantFrom<string | undefined>(undefined, '4m', '15m'),
        fc.constantFrom(2, 3, 5, 12, 100_000),
        (gens, groupBy, throttle, fields, remember, learnFor, max) => {
          const events = build(gens, MIN)
          const firstSeen = { fields, remember, ...(learnFor ? { learnFor } : {}) }
          const raw = { groupBy, firstSeen, ...(throttle ? { throttle } : {}) }
          const spec = { fields, remember: ms(remember), ...(learnFor ? { learnFor: ms(learnFor) } : {}) }
          const model = modelFirstSeen(groupBy, spec, throttle ? ms(throttle) : undefined, max, events)
          expect(runReal(raw, events, max)).toEqual(model)
        },
      ),
      RUNS,
    )
  })

  it('rate spikes', () => {
    fc.assert(
      fc.property(
        streams,
        groupBys,
        throttles,
        fc.constantFrom('3m', '10m'),
        fc.constantFrom(1, 1.5, 2, 3),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 2 }),
        fc.constantFrom(10_000, 20_000, MIN),
        (gens, groupBy, throttle, within, factor, minCount, minReference, step) => {
          // Denser streams (events 10 s to 1 min apart) so that rates really change.
          const events = build(gens, step)
          const spike = { within, factor, minCount, minReference }
          const raw = { groupBy, spike, ...(throttle ? { throttle } : {}) }
          const model = modelSpike(
            groupBy,
            { ...spike, within: ms(within) },
            throttle ? ms(throttle) : undefined,
            events,
          )
          expect(runReal(raw, events)).toEqual(model)
        },
      ),
      RUNS,
    )
  })
})
