import { Engine } from 'json-rules-engine'
import type { SeamEvent } from '../../src/source/event.js'
import type { RuleFile } from '../generate-rules.js'
import { PlainTimeLogic } from '../time-logic.js'
import { type Contender, tally } from './contender.js'

/**
 * The baseline as most people would write it: one json-rules-engine Engine holding every rule (the event type
 * as one more condition), `await engine.run(event)` per event, then the same plain-Map window/throttle logic.
 */
export async function createNaive(rules: RuleFile[]): Promise<Contender> {
  const engine = new Engine([], { allowUndefinedFacts: true })
  const time = new Map<string, PlainTimeLogic>()
  for (const rule of rules) {
    const typeCondition =
      rule.eventTypes.length === 1
        ? { fact: 'event_type', operator: 'equal', value: rule.eventTypes[0] }
        : { fact: 'event_type', operator: 'in', value: rule.eventTypes }
    engine.addRule({
      name: rule.id,
      conditions: { all: [typeCondition, ...rule.conditions.all] } as never,
      event: { type: rule.id },
    })
    time.set(rule.id, new PlainTimeLogic(rule))
  }
  const counter = tally()
  return {
    async process(event: SeamEvent) {
      const { events } = await engine.run(event)
      if (events.length === 0) return
      const at = Date.parse(event.occurred_at)
      for (const fired of events) counter.add(time.get(fired.type)!.qualify(event, at))
    },
    counts: counter.counts,
  }
}
