import { describe, expect, it } from 'vitest'
import { ruleFingerprint } from '../../src/rules/compiled-rule.js'
import type { Rule } from '../../src/rules/rule-schema.js'
import { RuleSet } from '../../src/rules/rule-set.js'
import { type RuleState, ruleStateSchema } from '../../src/rules/rule-state.js'
import { MIN, T0_RULES as T0 } from '../helpers/fixtures.js'
import { event, rule, setup } from './helpers.js'

/** Save and load as the daemon's state file does: plain JSON, then the schema the state file embeds. */
function roundTrip(
  state: RuleState,
  transform: (raw: Record<string, unknown>) => void = () => {},
): RuleState {
  const raw = JSON.parse(JSON.stringify(state)) as Record<string, unknown>
  transform(raw)
  return ruleStateSchema.parse(raw)
}

const burstRaw = {
  id: 'burst',
  eventTypes: ['lock.access_denied'],
  groupBy: ['device_id'],
  window: { count: 3, within: '1h' },
  throttle: '1h',
  resolve: { eventTypes: ['lock.unlocked'] },
}
const burstV1 = rule(burstRaw)
/** Same rule, fewer events needed: a change of meaning. */
const burstV2 = rule({ ...burstRaw, window: { count: 2, within: '1h' } })

const offlineRaw = {
  id: 'offline',
  eventTypes: ['device.disconnected'],
  groupBy: ['device_id'],
  absence: { eventTypes: ['device.connected'], within: '15m' },
}
const offlineV1 = rule(offlineRaw)
const offlineV2 = rule({ ...offlineRaw, absence: { eventTypes: ['device.connected'], within: '30m' } })

const denied = (offset: number, device: string) => event('lock.access_denied', offset, { device_id: device })

/**
 * Before the change: d1 fired (throttle + open incident), d2 has two events in its window, d3 has an open absence
 * timer (deadline 15m).
 */
async function stateBeforeChange(): Promise<RuleState> {
  const run = setup([burstV1, offlineV1])
  const out = await run.feed([
    denied(0, 'd1'),
    denied(MIN, 'd1'),
    denied(2 * MIN, 'd1'),
    denied(3 * MIN, 'd2'),
    denied(4 * MIN, 'd2'),
    event('device.disconnected', 4 * MIN, { device_id: 'd3' }),
  ])
  expect(out).toHaveLength(1)
  expect(Object.keys(run.state.windows.burst ?? {})).toEqual(['["d2"]'])
  expect(Object.keys(run.state.throttles.burst ?? {})).toEqual(['["d1"]'])
  expect(Object.keys(run.state.incidents.burst ?? {})).toEqual(['["d1"]'])
  expect(Object.keys(run.state.timers.offline ?? {})).toEqual(['["d3"]'])
  return run.state
}

/** After the change: one more d2 event, two more d1 events (a window fire the throttle suppresses), d1 unlocks. */
function after() {
  return [
    denied(5 * MIN, 'd2'),
    denied(6 * MIN, 'd1'),
    denied(7 * MIN, 'd1'),
    event('lock.unlocked', 8 * MIN, { device_id: 'd1' }),
  ]
}

/** Apply the same events to a state continued in-run after setRuleSet and to one reloaded by a new Evaluator. */
async function bothWays(next: Rule[], transform?: (raw: Record<string, unknown>) => void) {
  const events = after()
  const base = await stateBeforeChange()
  const hot = setup([burstV1, offlineV1], structuredClone(base))
  hot.evaluator.setRuleSet(RuleSet.from(next), hot.state)
  const hotOut = await hot.feed(events, T0 + 40 * MIN)
  const restarted = setup(next, roundTrip(base, transform))
  const restartOut = await restarted.feed(events, T0 + 40 * MIN)
  return { events, hot, hotOut, restarted, restartOut }
}

describe('rule state across a restart (fingerprints persisted in RuleState)', () => {
  it('a rule changed while down gets fresh windows and timers but keeps throttles and incidents', async () => {
    const { events, hot, hotOut, restarted, restartOut } = await bothWays([burstV2, offlineV2])
    const unlock = events[3]!
    // d2's old entries are gone (with them, 3 events >= 2 would fire); d1's window fire is throttled; the incident
    // opened before the change is still resolved; the old 15m timer of d3 never fires (it would by 40m).
    expect(restartOut).toEqual([`burst resolve ${unlock.event_id} count=1 suppressed=0`])
    expect(restarted.state.throttles.burst?.['["d1"]']?.suppressed).toBe(1)
    expect(restarted.state.timers.offline).toBeUndefined()
    // Identical to the same change applied by a hot reload.
    expect(restartOut).toEqual(hotOut)
    expect(restarted.state).toEqual(hot.state)
  })

  it('an unchanged rule keeps its windows, timers, throttles and incidents', async () => {
    const { events, hot, hotOut, restarted, restartOut } = await bothWays([burstV1, offlineV1])
    const d2 = events[0]
    expect(restartOut).toEqual([
      expect.stringMatching(new RegExp(`^burst fire ${d2!.event_id} count=3 `)),
      expect.stringMatching(/^burst resolve /),
      expect.stringMatching(/^offline fire /),
    ])
    // d1's two new events (of 3 needed) did not fire; the throttle from before the restart is still there.
    expect(restarted.state.throttles.burst?.['["d1"]']).toEqual({ lastFireAt: T0 + 2 * MIN, suppressed: 0 })
    expect(restarted.state.windows.burst?.['["d1"]']).toHaveLength(2)
    expect(restartOut).toEqual(hotOut)
    expect(restarted.state).toEqual(hot.state)
  })

  it('a rewritten but equivalent rule (key order, "1h" as "60m") counts as unchanged', () => {
    const reordered = rule({
      resolve: { eventTypes: ['lock.unlocked'] },
      throttle: '60m',
      window: { within: '3600s', count: 3 },
      groupBy: ['device_id'],
      eventTypes: ['lock.access_denied'],
      id: 'burst',
      description: 'only the wording changed',
    })
    expect(ruleFingerprint(reordered)).toBe(ruleFingerprint(burstV1))
    expect(ruleFingerprint(burstV2)).not.toBe(ruleFingerprint(burstV1))
  })

  it('a rule removed while down loses all its state at the first fireDue, even with no events', async () => {
    const saved = roundTrip(await stateBeforeChange())
    const restarted = setup([offlineV1], saved)
    expect(restarted.evaluator.fireDue(saved, 0, true)).toEqual([])
    expect(saved.windows.burst).toBeUndefined()
    expect(saved.throttles.burst).toBeUndefined()
    expect(saved.incidents.burst).toBeUndefined()
    expect(Object.keys(saved.fingerprints ?? {})).toEqual(['offline'])
    expect(Object.keys(saved.timers.offline ?? {})).toEqual(['["d3"]'])
    // The removed rule's state is gone for good: it does not come back when the same state is saved again.
    expect(roundTrip(saved).windows).toEqual({})
  })

  it('a removed absence rule does not fire its old timer; a disabled rule is treated as removed', async () => {
    const saved = roundTrip(await stateBeforeChange())
    const restarted = setup([burstV1, rule({ ...offlineRaw, enabled: false })], saved)
    expect(await restarted.feed([], T0 + 40 * MIN)).toEqual([])
    expect(saved.timers).toEqual({})
    expect(Object.keys(saved.fingerprints ?? {})).toEqual(['burst'])
  })

  it('reconciles on the first evaluate and on prune too', async () => {
    const viaEvaluate = roundTrip(await stateBeforeChange())
    const a = setup([burstV2, offlineV1], viaEvaluate)
    expect(await a.evaluator.evaluate(viaEvaluate, denied(5 * MIN, 'd2'))).toEqual([])
    expect(viaEvaluate.windows.burst?.['["d2"]']).toHaveLength(1)

    const viaPrune = roundTrip(await stateBeforeChange())
    const b = setup([burstV2], viaPrune)
    b.evaluator.prune(viaPrune)
    expect(viaPrune.windows).toEqual({})
    expect(viaPrune.timers).toEqual({})
    expect(Object.keys(viaPrune.throttles)).toEqual(['burst'])
  })

  it('an explicit reconcile at start tidies the state before any event and reports whether it dropped anything', async () => {
    const saved = roundTrip(await stateBeforeChange())
    const restarted = setup([burstV2, offlineV1], saved)
    expect(restarted.evaluator.reconcile(saved)).toBe(true)
    expect(saved.windows).toEqual({})
    expect(restarted.evaluator.reconcile(saved)).toBe(false)
  })
})

describe('state saved before fingerprints existed (no "fingerprints" field)', () => {
  const legacy = (raw: Record<string, unknown>) => {
    delete raw.fingerprints
  }

  it('loads, and the schema leaves the field absent', () => {
    expect(ruleStateSchema.parse({})).toEqual({
      clock: 0,
      windows: {},
      timers: {},
      throttles: {},
      incidents: {},
    })
    const loaded = ruleStateSchema.parse({
      clock: 5,
      windows: { burst: { '["d2"]': [{ event_id: 'e', at: 1 }] } },
    })
    expect(loaded.fingerprints).toBeUndefined()
    expect(loaded.windows.burst?.['["d2"]']).toHaveLength(1)
  })

  it('rejects a fingerprint that is not a string, naming the path', () => {
    const result = ruleStateSchema.safeParse({ fingerprints: { burst: 1 } })
    expect(result.success).toBe(false)
    expect(result.error?.issues[0]?.path).toEqual(['fingerprints', 'burst'])
  })

  it('unknown => keep: a changed rule keeps its state once (it cannot be told apart from an unchanged one)', async () => {
    const saved = roundTrip(await stateBeforeChange(), legacy)
    const restarted = setup([burstV2, offlineV2], saved)
    const [d2] = after()
    const out = await restarted.feed([d2!])
    // d2's two old entries were kept: with v2 (count 2) the third event fires.
    expect(out).toEqual([expect.stringMatching(new RegExp(`^burst fire ${d2!.event_id} count=3 `))])
    expect(Object.keys(saved.timers.offline ?? {})).toEqual(['["d3"]'])
    expect(Object.keys(saved.fingerprints ?? {}).sort()).toEqual(['burst', 'offline'])
    // From now on the versions are recorded: the next change across a restart is detected.
    const again = roundTrip(saved)
    setup([burstV2, offlineV1], again).evaluator.reconcile(again)
    expect(again.timers).toEqual({})
  })

  it('still drops state of rules removed while down', async () => {
    const saved = roundTrip(await stateBeforeChange(), legacy)
    setup([offlineV1], saved).evaluator.reconcile(saved)
    expect(saved.windows).toEqual({})
    expect(saved.throttles).toEqual({})
    expect(saved.incidents).toEqual({})
  })

  it('a hot reload right after start compares with the rule version the evaluator started with', async () => {
    const saved = roundTrip(await stateBeforeChange(), legacy)
    const restarted = setup([burstV1, offlineV1], saved)
    restarted.evaluator.setRuleSet(RuleSet.from([burstV2, offlineV1]), saved)
    expect(saved.windows).toEqual({})
    expect(Object.keys(saved.timers.offline ?? {})).toEqual(['["d3"]'])
    expect(Object.keys(saved.incidents.burst ?? {})).toEqual(['["d1"]'])
  })
})
