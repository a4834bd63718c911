import type { Engine, RuleProperties, TopLevelCondition } from 'json-rules-engine'
import type { EventLike, TopCondition } from './condition-types.js'
import { createEngine } from './engine-factory.js'

/**
 * Evaluates one condition set with a real json-rules-engine Engine: the fallback for conditions the compiler does
 * not handle (condition references to `sharedConditions`, unusual shapes). Runs are queued so the engine never
 * runs concurrently with itself (json-rules-engine documents wrong results for that).
 */
export class EngineMatcher {
  private readonly engine: Engine
  private queue: Promise<unknown> = Promise.resolve()

  constructor(conditions: TopCondition, sharedConditions: Record<string, TopCondition> = {}) {
    this.engine = createEngine(sharedConditions as Record<string, TopLevelCondition>)
    const rule: RuleProperties = { conditions: conditions as TopLevelCondition, event: { type: 'match' } }
    this.engine.addRule(rule)
  }

  /** Whether the event satisfies the conditions (each top-level event field is a fact of the same name). */
  match(event: EventLike): Promise<boolean> {
    const run = this.queue.then(() => this.engine.run({ ...event }))
    this.queue = run.catch(() => undefined)
    return run.then((result) => result.events.length > 0)
  }
}
