import { parseDuration } from '../src/duration.js'
import type { RuleFile } from './generate-rules.js'

/** What one qualifying event did to a rule's time logic. */
export type Outcome = 'none' | 'fire' | 'suppressed'

/**
 * The window and throttle bookkeeping of one rule, in plain Maps, for the two baselines (naive, handwritten):
 * a window fires when `count` events of a group lie within `within` (inclusive) of the current one and is then
 * cleared; a throttle suppresses (and counts) fires of a group less than `throttle` after its last fire.
 */
export class PlainTimeLogic {
  private readonly count: number
  private readonly within: number
  private readonly throttle: number
  private readonly keyOf: (event: Record<string, unknown>) => string
  private readonly windows = new Map<string, number[]>()
  private readonly lastFire = new Map<string, number>()

  constructor(rule: RuleFile) {
    this.count = rule.window?.count ?? 1
    this.within = rule.window ? parseDuration(rule.window.within) : 0
    this.throttle = rule.throttle ? parseDuration(rule.throttle) : 0
    const fields = rule.groupBy
    this.keyOf =
      fields.length === 1
        ? (event) => String(event[fields[0]!])
        : (event) => JSON.stringify(fields.map((f) => event[f]))
  }

  qualify(event: Record<string, unknown>, at: number): Outcome {
    const key = this.keyOf(event)
    if (this.count > 1) {
      let times = this.windows.get(key)
      if (!times) {
        times = []
        this.windows.set(key, times)
      }
      times.push(at)
      let drop = 0
      while (drop < times.length && at - times[drop]! > this.within) drop++
      if (drop > 0) times.splice(0, drop)
      if (times.length < this.count) return 'none'
      times.length = 0
    }
    if (this.throttle > 0) {
      const last = this.lastFire.get(key)
      if (last !== undefined && at - last < this.throttle) return 'suppressed'
      this.lastFire.set(key, at)
    }
    return 'fire'
  }
}
