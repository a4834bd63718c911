import { describe, expect, it } from 'vitest'
import { knownEventTypes } from '../../src/rules/event-types.js'
import { RuleSet } from '../../src/rules/rule-set.js'
import { MIN } from '../helpers/fixtures.js'
import { event, rule, setup } from './helpers.js'

describe('RuleSet index and apiEventTypes', () => {
  it('offers an event only the rules that can match its type, in id order', () => {
    const set = RuleSet.from([
      rule({ id: 'b', eventTypes: ['lock.*'] }),
      rule({ id: 'a', eventTypes: ['lock.locked'] }),
      rule({ id: 'c', eventTypes: ['device.connected'], absence: undefined }),
      rule({ id: 'd', eventTypes: ['lock.locked'], enabled: false }),
    ])
    expect(set.candidates('lock.locked').map((c) => c.rule.id)).toEqual(['a', 'b'])
    expect(set.candidates('lock.unlocked').map((c) => c.rule.id)).toEqual(['b'])
    expect(set.candidates('thermostat.manually_adjusted')).toEqual([])
  })

  it('lists event types for the API: patterns expanded, absence and resolve types included', () => {
    const set = RuleSet.from([
      rule({ id: 'a', eventTypes: ['lock.*'] }),
      rule({
        id: 'b',
        eventTypes: ['device.disconnected'],
        absence: { eventTypes: ['device.connected'], within: '15m' },
        resolve: { eventTypes: ['device.connected'] },
      }),
    ])
    const lockTypes = knownEventTypes().filter((t) => t.startsWith('lock.'))
    expect(lockTypes.length).toBeGreaterThan(2)
    expect(set.apiEventTypes()).toEqual([...lockTypes, 'device.connected', 'device.disconnected'].sort())
  })

  it('returns null when a rule cannot be listed exactly', () => {
    expect(RuleSet.from([rule({ eventTypes: ['*'] })]).apiEventTypes()).toBeNull()
    expect(RuleSet.from([rule({ eventTypes: ['future_thing.*'] })]).apiEventTypes()).toBeNull()
  })
})

describe('Evaluator.setRuleSet (hot reload)', () => {
  it('drops the state of removed rules and keeps unchanged ones', async () => {
    const keep = rule({
      id: 'keep',
      eventTypes: ['lock.access_denied'],
      groupBy: ['device_id'],
      window: { count: 3, within: '1h' },
    })
    const gone = rule({
      id: 'gone',
      eventTypes: ['lock.access_denied'],
      groupBy: ['device_id'],
      window: { count: 3, within: '1h' },
    })
    const run = setup([keep, gone])
    await run.feed([
      event('lock.access_denied', 0, { device_id: 'd1' }),
      event('lock.access_denied', MIN, { device_id: 'd1' }),
    ])
    run.evaluator.setRuleSet(RuleSet.from([keep]), run.state)
    expect(Object.keys(run.state.windows)).toEqual(['keep'])
    const third = event('lock.access_denied', 2 * MIN, { device_id: 'd1' })
    expect(await run.feed([third])).toEqual([`keep fire ${third.event_id} count=3 suppressed=0`])
  })

  it('a changed rule loses its windows and timers but keeps an open incident it can still resolve', async () => {
    const v1 = rule({
      id: 'off',
      eventTypes: ['device.disconnected'],
      groupBy: ['device_id'],
      absence: { eventTypes: ['device.connected'], within: '15m' },
      resolve: { eventTypes: ['device.connected'] },
    })
    const run = setup([v1])
    await run.feed(
      [
        event('device.disconnected', 0, { device_id: 'd1' }),
        event('device.disconnected', 20 * MIN, { device_id: 'd2' }),
      ],
      16 * MIN,
    )
    expect(Object.keys(run.state.incidents.off ?? {})).toEqual(['["d1"]'])
    run.evaluator.setRuleSet(
      RuleSet.from([rule({ ...v1, absence: { eventTypes: ['device.connected'], within: '30m' } })]),
      run.state,
    )
    expect(run.state.timers.off).toBeUndefined()
    const back = event('device.connected', 40 * MIN, { device_id: 'd1' })
    expect(await run.feed([back])).toEqual([`off resolve ${back.event_id} count=1 suppressed=0`])
  })
})
