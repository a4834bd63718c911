import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type EventWork, evaluateContained } from '../../src/rules/contained.js'
import type { Decision } from '../../src/rules/decision.js'
import { Evaluator } from '../../src/rules/evaluator.js'
import { RuleSet } from '../../src/rules/rule-set.js'
import { emptyRuleState } from '../../src/rules/rule-state.js'
import type { SeamEvent } from '../../src/source/event.js'
import { MIN } from '../helpers/fixtures.js'
import { event, rule } from './helpers.js'

/**
 * Property: evaluating a list of events where some events' work throws part-way (after the evaluator has changed
 * the rule state for them) gives exactly the decisions and the final rule state of evaluating the list without
 * those events (up to the periodic sweep of what can no longer matter). Rules cover windows, throttles, absences and resolves, sync and through json-rules-engine.
 */
const RULES = [
  rule({
    id: 'burst',
    eventTypes: ['lock.access_denied'],
    groupBy: ['device_id'],
    window: { count: 3, within: '10m' },
  }),
  rule({ id: 'throttled', eventTypes: ['lock.unlocked'], groupBy: ['device_id'], throttle: '15m' }),
  rule({
    id: 'offline',
    eventTypes: ['device.disconnected'],
    groupBy: ['device_id'],
    resolve: { eventTypes: ['device.connected'] },
  }),
  rule({
    id: 'no-lock',
    eventTypes: ['lock.unlocked'],
    groupBy: ['device_id'],
    absence: { eventTypes: ['lock.locked'], within: '5m' },
  }),
  rule({
    id: 'engine',
    eventTypes: ['lock.access_denied'],
    conditions: { any: [{ fact: 'device_id', operator: 'equal', value: 'd1' }] },
    throttle: '5m',
  }),
]
const TYPES = [
  'lock.access_denied',
  'lock.unlocked',
  'lock.locked',
  'device.disconnected',
  'device.connected',
  'noise_sensor.noise_threshold_triggered',
]

const line = (d: Decision) => `${d.rule} ${d.kind} ${d.event_id} ${d.at} n=${d.count} s=${d.suppressed}`

/** Replay-style work: fire due timers, then evaluate; `poisoned` events throw after their evaluation. */
function work(evaluator: Evaluator, poisoned: ReadonlySet<string>): EventWork {
  return async (state, e) => {
    const due = evaluator.fireDue(state, evaluator.ruleTime(e), false)
    const out = [...due, ...(await evaluator.evaluate(state, e))]
    if (poisoned.has(e.event_id)) throw new Error(`poison ${e.event_id}`)
    return out
  }
}

describe('evaluateContained', () => {
  it('equals a run without the failing events, however many fail and wherever', async () => {
    const arbitraryEvents = fc.array(
      fc.record({
        type: fc.constantFrom(...TYPES),
        device: fc.constantFrom('d1', 'd2'),
        gapMs: fc.integer({ min: 0, max: 4 * MIN }),
        poison: fc.boolean(),
      }),
      { minLength: 1, maxLength: 60 },
    )
    await fc.assert(
      fc.asyncProperty(arbitraryEvents, async (specs) => {
        let t = 0
        const events: SeamEvent[] = specs.map((s) => {
          t += s.gapMs
          return event(s.type, t, { device_id: s.device })
        })
        const poisoned = new Set(events.filter((_, i) => specs[i]!.poison).map((e) => e.event_id))

        const evaluator = new Evaluator(RuleSet.from(RULES))
        const slot = { state: emptyRuleState() }
        const contained = await evaluateContained(slot, events, work(evaluator, poisoned))
        expect(contained.failed.map((f) => events[f.index]!.event_id)).toEqual([...poisoned])

        const clean = new Evaluator(RuleSet.from(RULES))
        const cleanSlot = { state: emptyRuleState() }
        const expected = await evaluateContained(
          cleanSlot,
          events.filter((e) => !poisoned.has(e.event_id)),
          work(clean, new Set()),
        )
        expect(contained.decisions.flat().map(line)).toEqual(expected.decisions.flat().map(line))
        // The periodic sweep runs on its own schedule (and restarts after going back to a savepoint); what it
        // removes can no longer matter. Sweep both, then they must be the same.
        evaluator.prune(slot.state)
        clean.prune(cleanSlot.state)
        expect(JSON.parse(JSON.stringify(slot.state))).toEqual(JSON.parse(JSON.stringify(cleanSlot.state)))
      }),
      { numRuns: 150 },
    )
  })
})
