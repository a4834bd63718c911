import { describe, expect, it } from 'vitest'
import { Evaluator } from '../../src/rules/evaluator.js'
import { parseRuleValue } from '../../src/rules/rule-parse.js'
import type { Rule } from '../../src/rules/rule-schema.js'
import { RuleSet } from '../../src/rules/rule-set.js'
import { type RuleState, ruleStateSchema } from '../../src/rules/rule-state.js'
import type { SeamEvent } from '../../src/source/event.js'
import { stateJson } from '../../src/state/state-json.js'
import { stateSchema } from '../../src/state/state-schema.js'
import { MIN, openState } from '../helpers/fixtures.js'
import { event, rule, setup } from './helpers.js'

const DAY = 24 * 60 * MIN
const issues = (raw: Record<string, unknown>) =>
  parseRuleValue({ id: 'r', eventTypes: ['x.y'], ...raw }, 'rules/r.json').issues.map(
    (i) => `${i.file}: ${i.path}: ${i.message}`,
  )

/** Save and load as the state file does: plain JSON, then the schema. */
const roundTrip = (state: RuleState): RuleState => ruleStateSchema.parse(JSON.parse(JSON.stringify(state)))

describe('fleet rule kinds: validation', () => {
  it('rejects the combinations the kinds rule out, at the field, with the file', () => {
    const firstSeen = { fields: ['device_id'], remember: '90d' }
    const spike = { within: '1h', factor: 3, minCount: 10 }
    expect(issues({ firstSeen, window: { count: 2, within: '1m' } })).toEqual([
      'rules/r.json: $.firstSeen: "firstSeen" cannot be combined with "window" (a first-seen rule fires on one event)',
    ])
    expect(issues({ firstSeen, spike })).toEqual([
      'rules/r.json: $.firstSeen: "firstSeen" cannot be combined with "spike" (a first-seen rule fires on one event)',
    ])
    expect(issues({ spike, absence: { eventTypes: ['x.z'], within: '1m' } })).toEqual([
      'rules/r.json: $.spike: "spike" cannot be combined with "absence" (a spike fires on a rate, not a count or a missing event)',
    ])
    expect(issues({ spike, window: { count: 2, within: '1m' } })[0]).toContain('$.spike: "spike" cannot')
  })

  it('checks the fields of each kind', () => {
    expect(issues({ firstSeen: { fields: [], remember: '1d' } })[0]).toBe(
      'rules/r.json: $.firstSeen.fields: expected at least one field, e.g. ["device_id", "access_code_id"]',
    )
    expect(issues({ firstSeen: { fields: ['a'], remember: '0d' } })[0]).toContain(
      '$.firstSeen.remember: expected a duration greater than 0',
    )
    expect(issues({ window: { count: 2, within: '1m', distinct: 'a..b' } })[0]).toContain(
      '$.window.distinct: expected a field name or a dotted path',
    )
    expect(issues({ spike: { within: '1h', factor: 3 } })[0]).toContain('$.spike.minCount')
    expect(issues({ spike: { within: '1h', factor: 3, minCount: 1, extra: 1 } })[0]).toContain('extra')
    expect(
      rule({ eventTypes: ['x.y'], spike: { within: '1h', factor: 3, minCount: 1 } }).spike?.minReference,
    ).toBe(1)
  })
})

describe('dotted groupBy paths', () => {
  it('key groups by the value, show the path as the key, and group a missing value as null', async () => {
    const r = rule({
      eventTypes: ['device.disconnected'],
      groupBy: ['device_custom_metadata.site', 'device_id'],
    })
    const evaluator = new Evaluator(RuleSet.from([r]))
    const state = roundTrip({ clock: 0, windows: {}, timers: {}, throttles: {}, incidents: {} })
    const groups: unknown[] = []
    for (const fields of [
      { device_id: 'd1', device_custom_metadata: { site: 'HQ' } },
      { device_id: 'd2', device_custom_metadata: {} },
      { device_id: 'd3', device_custom_metadata: 'HQ' },
      { device_id: 'd4' },
    ])
      for (const d of await evaluator.evaluate(state, event('device.disconnected', 0, fields)))
        groups.push(d.group)
    expect(groups).toEqual([
      { 'device_custom_metadata.site': 'HQ', device_id: 'd1' },
      { 'device_custom_metadata.site': null, device_id: 'd2' },
      { 'device_custom_metadata.site': null, device_id: 'd3' },
      { 'device_custom_metadata.site': null, device_id: 'd4' },
    ])
  })
})

const site = (offset: number, device: string, name = 'HQ') =>
  event('device.disconnected', offset, { device_id: device, device_custom_metadata: { site: name } })

describe('distinct-count windows', () => {
  it('fire on the Nth distinct value with the distinct count and every event in the window, then clear', async () => {
    const r = rule({
      eventTypes: ['device.disconnected'],
      groupBy: ['device_custom_metadata.site'],
      window: { count: 3, within: '10m', distinct: 'device_id' },
    })
    const events = [
      site(0, 'a'),
      site(MIN, 'a'),
      site(2 * MIN, 'b', 'Annex'),
      site(3 * MIN, 'b'),
      site(4 * MIN, 'c'),
    ]
    const evaluator = new Evaluator(RuleSet.from([r]))
    const state = roundTrip({ clock: 0, windows: {}, timers: {}, throttles: {}, incidents: {} })
    const fires = []
    for (const e of events) fires.push(...(await evaluator.evaluate(state, e)))
    expect(fires).toHaveLength(1)
    expect(fires[0]).toMatchObject({
      group: { 'device_custom_metadata.site': 'HQ' },
      event_id: events[4]!.event_id,
      count: 3,
      eventIds: [events[0]!.event_id, events[1]!.event_id, events[3]!.event_id, events[4]!.event_id],
    })
    expect(state.windows.r?.['["HQ"]']).toBeUndefined()
  })
})

const unlock = (offset: number, device: string, code: string | null) =>
  event(
    'lock.unlocked',
    offset,
    code === null ? { device_id: device } : { device_id: device, access_code_id: code },
  )

describe('first seen', () => {
  const raw = {
    eventTypes: ['lock.unlocked'],
    groupBy: ['device_id'],
    firstSeen: { fields: ['device_id', 'access_code_id'], remember: '30d', learnFor: '7d' },
  }

  it('learns for learnFor, then fires once per new tuple and again after remember', async () => {
    const run = setup([rule(raw)])
    const e = [
      unlock(0, 'l1', 'c1'), // learning starts
      unlock(DAY, 'l1', 'c2'), // learned
      unlock(7 * DAY - 1, 'l1', 'c3'), // still learning
      unlock(7 * DAY, 'l1', 'c4'), // fires: learnFor is over
      unlock(7 * DAY + 1, 'l1', 'c2'), // known
      unlock(8 * DAY, 'l1', null), // (l1, null) is new
      unlock(8 * DAY + 1, 'l1', null), // known
      unlock(38 * DAY, 'l1', 'c2'), // last seen 37 days earlier: new again
    ]
    const out = await run.feed(e)
    expect(out).toEqual([
      `r fire ${e[3]!.event_id} count=1 suppressed=0`,
      `r fire ${e[5]!.event_id} count=1 suppressed=0`,
      `r fire ${e[7]!.event_id} count=1 suppressed=0`,
    ])
  })

  it('keeps what it learned across a restart and an edit outside firstSeen; forgets it when firstSeen changes', async () => {
    const first = setup([rule(raw)])
    await first.feed([unlock(0, 'l1', 'c1'), unlock(8 * DAY, 'l1', 'c2')])
    // Restart (state file round trip) with a throttle and a description added: c1, c2 are still known.
    const edited = rule({ ...raw, throttle: '1h', description: 'edited' })
    const restarted = setup([edited], roundTrip(first.state))
    expect(await restarted.feed([unlock(9 * DAY, 'l1', 'c1'), unlock(9 * DAY, 'l1', 'c2')])).toEqual([])
    // firstSeen changed (remember): what was learned is forgotten and learning starts again.
    const changed = rule({ ...raw, firstSeen: { ...raw.firstSeen, remember: '60d' } })
    restarted.evaluator.setRuleSet(RuleSet.from([changed]), restarted.state)
    expect(restarted.state.firstSeen?.r).toBeUndefined()
    expect(restarted.state.learning?.r).toBeUndefined()
    const later = [unlock(10 * DAY, 'l1', 'c1'), unlock(18 * DAY, 'l1', 'c1'), unlock(18 * DAY, 'l1', 'c9')]
    expect(await restarted.feed(later)).toEqual([`r fire ${later[2]!.event_id} count=1 suppressed=0`])
  })

  it('evicts the oldest tuples at firstSeenMax and counts them', async () => {
    const evicted: number[] = []
    const r = rule({
      eventTypes: ['lock.unlocked'],
      firstSeen: { fields: ['access_code_id'], remember: '90d' },
    })
    const evaluator = new Evaluator(RuleSet.from([r]), undefined, {
      firstSeenMax: 20,
      onFirstSeenEvicted: (_ruleId, n) => evicted.push(n),
    })
    const state = roundTrip({ clock: 0, windows: {}, timers: {}, throttles: {}, incidents: {} })
    for (let i = 0; i < 21; i++) await evaluator.evaluate(state, unlock(i * MIN, 'l', `c${i}`))
    // 21 > 20: the oldest go, down to 90% of the cap (18 kept).
    expect(evicted).toEqual([3])
    expect(evaluator.firstSeenEvicted).toBe(3)
    expect(Object.keys(state.firstSeen?.r ?? {})).toHaveLength(18)
    expect(state.firstSeen?.r?.['["c0"]']).toBeUndefined()
    // c0 was evicted: it counts as new again; c5 is still known.
    expect(await evaluator.evaluate(state, unlock(30 * MIN, 'l', 'c0'))).toHaveLength(1)
    expect(await evaluator.evaluate(state, unlock(31 * MIN, 'l', 'c5'))).toHaveLength(0)
  })
})

describe('rate spikes', () => {
  const denied = (offset: number) => event('lock.access_denied', offset, { workspace_id: 'ws' })
  const r = rule({
    eventTypes: ['lock.access_denied'],
    groupBy: ['workspace_id'],
    spike: { within: '1h', factor: 3, minCount: 4 },
  })

  it('fires when the current hour is at least factor times the one before, once per surge', async () => {
    const run = setup([r])
    const before = [denied(0), denied(30 * MIN)] // reference: 2 events
    const surge = [0, 1, 2, 3, 4, 5, 6].map((i) => denied(61 * MIN + i * MIN))
    const out = await run.feed([...before, ...surge])
    // At 01:06 (7th event): (00:06, 01:06] holds 00:30 + 6 surge events... the 6th surge event gives cur 6 >= 3·1.
    expect(out).toHaveLength(1)
    expect(out[0]).toMatch(/count=\d+/)
  })

  it('needs a reference (minReference) and minCount', async () => {
    const run = setup([r])
    const quietStart = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => denied(i * MIN))
    expect(await run.feed(quietStart)).toEqual([])
  })
})

describe('frozen shared state', () => {
  it('every kind writes through copies: evaluation across saved updates never writes in place', async () => {
    const rules: Rule[] = [
      rule({
        id: 'outage',
        eventTypes: ['device.disconnected'],
        groupBy: ['device_custom_metadata.site'],
        window: { count: 2, within: '10m', distinct: 'device_id' },
      }),
      rule({
        id: 'seen',
        eventTypes: ['device.disconnected'],
        firstSeen: { fields: ['device_id'], remember: '1d' },
      }),
      rule({
        id: 'spike',
        eventTypes: ['device.disconnected'],
        spike: { within: '5m', factor: 2, minCount: 2, minReference: 0 },
      }),
    ]
    const evaluator = new Evaluator(RuleSet.from(rules), undefined, { firstSeenMax: 3 })
    const state = await openState()
    const decisions: string[] = []
    const events: SeamEvent[] = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => site(i * MIN, `d${i % 5}`))
    for (const e of events)
      await state.update(async (draft) => {
        for (const d of await evaluator.evaluate(draft.rules, e)) decisions.push(`${d.rule} ${d.count}`)
        if (e === events[4]) evaluator.prune(draft.rules)
      })
    expect(decisions).toContain('outage 2')
    // Cap 3 over d0..d4 then d0..d2 again: each new device evicts the oldest, so all 8 count as unseen.
    expect(decisions.filter((d) => d.startsWith('seen'))).toHaveLength(8)
    expect(decisions.some((d) => d.startsWith('spike'))).toBe(true)
    expect(Object.isFrozen(state.current().rules.firstSeen?.seen)).toBe(true)
    // The state file (bytes, then the schema) keeps what each kind remembers: a restarted daemon sees d2 as known.
    const reloaded = stateSchema.parse(JSON.parse(stateJson(state.current()).toString('utf8')))
    expect(reloaded.rules.firstSeen).toEqual(state.current().rules.firstSeen)
    expect(reloaded.rules.learning).toEqual(state.current().rules.learning)
    expect(reloaded.rules.spikes).toEqual(state.current().rules.spikes)
    const restarted = new Evaluator(RuleSet.from(rules), undefined, { firstSeenMax: 3 })
    const again = await restarted.evaluate(reloaded.rules, site(9 * MIN, 'd2'))
    expect(again.map((d) => d.rule)).not.toContain('seen')
  })
})
