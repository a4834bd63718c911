import type { SeamEvent } from '../../src/source/event.js'
import type { RuleFile } from '../generate-rules.js'

/** One way of evaluating the benchmark rules over a stream of events. */
export interface Contender {
  /** Evaluate one event (conditions, then window/throttle state). */
  process(event: SeamEvent): void | Promise<void>
  /** Fires and throttle-suppressed fires so far (a cross-check that contenders agree). */
  counts(): { fires: number; suppressed: number }
}

export type ContenderFactory = (rules: RuleFile[]) => Promise<Contender>

/** Fire/suppressed counting shared by the two baselines. */
export function tally(): { add(outcome: string): void; counts(): { fires: number; suppressed: number } } {
  let fires = 0
  let suppressed = 0
  return {
    add(outcome) {
      if (outcome === 'fire') fires++
      else if (outcome === 'suppressed') suppressed++
    },
    counts: () => ({ fires, suppressed }),
  }
}

/** Thrown by a factory whose project code does not exist yet; the benchmark reports it as skipped. */
export class ContenderUnavailable extends Error {}
