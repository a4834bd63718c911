import { describe, expect, it } from 'vitest'
import { MIN, T0_RULES as T0 } from '../helpers/fixtures.js'
import { event, rule, setup } from './helpers.js'

describe('single events', () => {
  it('fires once per qualifying event, count 1', async () => {
    const run = setup([rule({ eventTypes: ['device.tampered'], groupBy: ['device_id'] })])
    const a = event('device.tampered', 0, { device_id: 'd1' })
    const b = event('device.locked', 0, { device_id: 'd1' })
    expect(await run.feed([a, b])).toEqual([`r fire ${a.event_id} count=1 suppressed=0`])
  })

  it('returns the decision fields of decision.ts', async () => {
    const run = setup([rule({ eventTypes: ['device.tampered'], groupBy: ['device_id', 'site'] })])
    const a = event('device.tampered', 5 * MIN, { device_id: 'd1' })
    const [d] = await run.evaluator.evaluate(run.state, a)
    expect(d).toMatchObject({
      rule: 'r',
      kind: 'fire',
      group: { device_id: 'd1', site: null },
      event_id: a.event_id,
      at: new Date(T0 + 5 * MIN).toISOString(),
      count: 1,
      suppressed: 0,
    })
    expect(d?.event).toBe(a)
  })
})

describe('windows', () => {
  const burst = () =>
    rule({ eventTypes: ['lock.access_denied'], groupBy: ['device_id'], window: { count: 3, within: '10m' } })
  it.each([
    { name: 'third event exactly at within fires', third: 10 * MIN, fires: true },
    { name: 'third event 1 ms past within does not fire', third: 10 * MIN + 1, fires: false },
  ])('$name', async ({ third, fires }) => {
    const run = setup([burst()])
    const events = [0, 5 * MIN, third].map((t) => event('lock.access_denied', t, { device_id: 'd1' }))
    const out = await run.feed(events)
    expect(out).toEqual(fires ? [`r fire ${events[2]!.event_id} count=3 suppressed=0`] : [])
  })

  it('clears the window after firing and reports the event ids oldest first', async () => {
    const run = setup([burst()])
    const events = [0, 1, 2, 3, 4].map((m) => event('lock.access_denied', m * MIN, { device_id: 'd1' }))
    const decisions = []
    for (const e of events) decisions.push(...(await run.evaluator.evaluate(run.state, e)))
    expect(decisions).toHaveLength(1)
    expect(decisions[0]?.eventIds).toEqual(events.slice(0, 3).map((e) => e.event_id))
    expect(run.state.windows.r?.['["d1"]']).toHaveLength(2)
  })

  it('prunes entries that can no longer count', async () => {
    const run = setup([burst()])
    await run.feed([event('lock.access_denied', 0, { device_id: 'd1' })])
    await run.feed([event('lock.access_denied', 60 * MIN, { device_id: 'd1' })])
    expect(run.state.windows.r?.['["d1"]']).toHaveLength(1)
  })
})

describe('throttle', () => {
  it('suppresses fires within the throttle and reports the count on the next fire', async () => {
    const run = setup([rule({ eventTypes: ['device.tampered'], groupBy: ['device_id'], throttle: '30m' })])
    const times = [0, 10 * MIN, 20 * MIN, 30 * MIN - 1, 30 * MIN, 31 * MIN]
    const events = times.map((t) => event('device.tampered', t, { device_id: 'd1' }))
    expect(await run.feed(events)).toEqual([
      `r fire ${events[0]!.event_id} count=1 suppressed=0`,
      `r fire ${events[4]!.event_id} count=1 suppressed=3`,
    ])
  })

  it('clears the window also when the throttle suppresses its fire', async () => {
    const run = setup([
      rule({
        eventTypes: ['lock.access_denied'],
        groupBy: [],
        window: { count: 2, within: '10m' },
        throttle: '1h',
      }),
    ])
    const events = [0, 1, 2, 3, 61].map((m) => event('lock.access_denied', m * MIN))
    expect(await run.feed(events)).toEqual([`r fire ${events[1]!.event_id} count=2 suppressed=0`])
    expect(run.state.windows.r?.['[]']).toHaveLength(1)
    expect(run.state.throttles.r?.['[]']?.suppressed).toBe(1)
  })
})

describe('absence', () => {
  const offline = () =>
    rule({
      eventTypes: ['device.disconnected'],
      groupBy: ['device_id'],
      absence: { eventTypes: ['device.connected'], within: '15m' },
      resolve: { eventTypes: ['device.connected'] },
    })

  it.each([
    { name: 'cancelled by an event exactly at the deadline', at: 15 * MIN, fires: false },
    { name: 'fires when the cancelling event is 1 ms late', at: 15 * MIN + 1, fires: true },
  ])('$name', async ({ at, fires }) => {
    const run = setup([offline()])
    const open = event('device.disconnected', 0, { device_id: 'd1' })
    const back = event('device.connected', at, { device_id: 'd1' })
    const out = await run.feed([open, back])
    expect(out).toEqual(
      fires
        ? [`r fire ${open.event_id} count=1 suppressed=0`, `r resolve ${back.event_id} count=1 suppressed=0`]
        : [],
    )
  })

  it('fires at the deadline, with `at` = the deadline and the opening event', async () => {
    const run = setup([offline()])
    const open = event('device.disconnected', 0, { device_id: 'd1' })
    await run.evaluator.evaluate(run.state, open)
    expect(run.evaluator.fireDue(run.state, T0 + 15 * MIN, false)).toEqual([])
    const [d] = run.evaluator.fireDue(run.state, T0 + 15 * MIN, true)
    expect(d).toMatchObject({
      kind: 'fire',
      event_id: open.event_id,
      at: new Date(T0 + 15 * MIN).toISOString(),
    })
    expect(run.state.timers.r).toBeUndefined()
  })

  it('keeps one timer per group: the earliest opening wins', async () => {
    const run = setup([offline()])
    const first = event('device.disconnected', 0, { device_id: 'd1' })
    const second = event('device.disconnected', 5 * MIN, { device_id: 'd1' })
    expect(await run.feed([first, second], T0 + 60 * MIN)).toEqual([
      `r fire ${first.event_id} count=1 suppressed=0`,
    ])
  })

  it('an event of another group does not cancel', async () => {
    const run = setup([offline()])
    const open = event('device.disconnected', 0, { device_id: 'd1' })
    const other = event('device.connected', MIN, { device_id: 'd2' })
    expect(await run.feed([open, other], T0 + 60 * MIN)).toEqual([
      `r fire ${open.event_id} count=1 suppressed=0`,
    ])
  })
})

describe('resolve', () => {
  const lowBattery = () =>
    rule({
      eventTypes: ['device.low_battery'],
      groupBy: ['device_id'],
      resolve: {
        eventTypes: ['device.battery_status_changed'],
        conditions: { all: [{ fact: 'battery_status', operator: 'equal', value: 'full' }] },
      },
    })

  it('does not resolve before a fire', async () => {
    const run = setup([lowBattery()])
    expect(
      await run.feed([
        event('device.battery_status_changed', 0, { device_id: 'd1', battery_status: 'full' }),
      ]),
    ).toEqual([])
  })

  it('resolves after a fire, once, with firedAt and firedEventId', async () => {
    const run = setup([lowBattery()])
    const low = event('device.low_battery', 0, { device_id: 'd1' })
    const notYet = event('device.battery_status_changed', MIN, { device_id: 'd1', battery_status: 'low' })
    const full = event('device.battery_status_changed', 2 * MIN, { device_id: 'd1', battery_status: 'full' })
    const again = event('device.battery_status_changed', 3 * MIN, { device_id: 'd1', battery_status: 'full' })
    await run.evaluator.evaluate(run.state, low)
    expect(await run.evaluator.evaluate(run.state, notYet)).toEqual([])
    const [d] = await run.evaluator.evaluate(run.state, full)
    expect(d).toMatchObject({ kind: 'resolve', event_id: full.event_id, firedEventId: low.event_id })
    expect(d?.firedAt).toBe(new Date(T0).toISOString())
    expect(await run.evaluator.evaluate(run.state, again)).toEqual([])
  })
})

describe('groups, types and facts', () => {
  it('isolates groups; a missing groupBy field is the null group', async () => {
    const run = setup([
      rule({
        eventTypes: ['lock.access_denied'],
        groupBy: ['device_id'],
        window: { count: 2, within: '1h' },
      }),
    ])
    const events = [
      event('lock.access_denied', 0, { device_id: 'd1' }),
      event('lock.access_denied', 1, { device_id: 'd2' }),
      event('lock.access_denied', 2),
      event('lock.access_denied', 3, { device_id: null }),
    ]
    const decisions = []
    for (const e of events) decisions.push(...(await run.evaluator.evaluate(run.state, e)))
    expect(decisions.map((d) => d.group)).toEqual([{ device_id: null }])
    expect(decisions[0]?.count).toBe(2)
  })

  it.each([
    { pattern: 'lock.*', type: 'lock.access_denied', fires: true },
    { pattern: 'lock.*', type: 'lockx.access_denied', fires: false },
    { pattern: '*', type: 'anything.at_all', fires: true },
    { pattern: 'device.unknown_future_type', type: 'device.unknown_future_type', fires: true },
  ])('eventTypes $pattern vs $type', async ({ pattern, type, fires }) => {
    const run = setup([rule({ eventTypes: [pattern] })])
    expect((await run.feed([event(type, 0)])).length).toBe(fires ? 1 : 0)
  })

  it.each([
    { name: 'nested path', fields: { device_custom_metadata: { site: 'berlin' } }, fires: true },
    { name: 'other value', fields: { device_custom_metadata: { site: 'paris' } }, fires: false },
    { name: 'missing fact is false, not an error', fields: {}, fires: false },
    {
      name: 'path into a non-object uses the value itself',
      fields: { device_custom_metadata: 'berlin' },
      fires: true,
    },
  ])('conditions: $name', async ({ fields, fires }) => {
    const run = setup([
      rule({
        eventTypes: ['lock.locked'],
        conditions: {
          all: [{ fact: 'device_custom_metadata', path: '$.site', operator: 'equal', value: 'berlin' }],
        },
      }),
    ])
    expect((await run.feed([event('lock.locked', 0, fields)])).length).toBe(fires ? 1 : 0)
    expect(run.evaluator.conditionErrors).toBe(0)
  })

  it('evaluates shared condition references with json-rules-engine (async) identically', async () => {
    const run = setup([
      rule({
        eventTypes: ['lock.*'],
        sharedConditions: { berlin: { all: [{ fact: 'site', operator: 'matches', value: '^ber' }] } },
        conditions: {
          any: [{ condition: 'berlin' }, { fact: 'battery_level', operator: 'lessThan', value: 0.1 }],
        },
      }),
    ])
    const out = await run.feed([
      event('lock.locked', 0, { site: 'berlin' }),
      event('lock.locked', 1, { site: 'paris' }),
      event('lock.locked', 2, { battery_level: 0.05 }),
    ])
    expect(out).toHaveLength(2)
    expect(run.evaluator.evaluate(run.state, event('lock.locked', 3, { site: 'paris' }))).toBeInstanceOf(
      Promise,
    )
  })

  it('is synchronous when every condition compiled', () => {
    const run = setup([
      rule({
        eventTypes: ['lock.locked'],
        conditions: { all: [{ fact: 'a', operator: 'exists', value: true }] },
      }),
    ])
    expect(Array.isArray(run.evaluator.evaluate(run.state, event('lock.locked', 0, { a: 1 })))).toBe(true)
  })
})
