import type { SeamEvent } from '../../src/source/event.js'
import { compileCondition, type Predicate } from '../compile-conditions.js'
import type { RuleFile } from '../generate-rules.js'
import { PlainTimeLogic } from '../time-logic.js'
import { type Contender, tally } from './contender.js'

interface Compiled {
  matches: Predicate
  time: PlainTimeLogic
}

/** The practical limit: conditions compiled to closures, rules indexed by event type, plain-Map time logic. */
export async function createHandwritten(rules: RuleFile[]): Promise<Contender> {
  const byType = new Map<string, Compiled[]>()
  for (const rule of rules) {
    const compiled = { matches: compileCondition(rule.conditions), time: new PlainTimeLogic(rule) }
    for (const type of rule.eventTypes) {
      const list = byType.get(type) ?? []
      list.push(compiled)
      byType.set(type, list)
    }
  }
  const counter = tally()
  return {
    process(event: SeamEvent) {
      const candidates = byType.get(event.event_type)
      if (!candidates) return
      let at = -1
      for (const rule of candidates) {
        if (!rule.matches(event)) continue
        if (at < 0) at = Date.parse(event.occurred_at)
        counter.add(rule.time.qualify(event, at))
      }
    },
    counts: counter.counts,
  }
}
