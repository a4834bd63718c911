import { ownMap } from '../frozen.js'
import type { Spike } from './fleet-schema.js'
import { bucket } from './group.js'
import type { RuleState, SpikeGroup } from './rule-state.js'

/** Index of the first time in the ascending `times` that is greater than `t`. */
function after(times: readonly number[], t: number): number {
  let lo = 0
  let hi = times.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (times[mid]! <= t) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Index of the first time in the ascending `times` that is at least `t`. */
function from(times: readonly number[], t: number): number {
  let lo = 0
  let hi = times.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (times[mid]! < t) lo = mid + 1
    else hi = mid
  }
  return lo
}

/**
 * A qualifying event of a rate-spike rule at time t: `cur` counts the group's events in (t - within, t], `ref`
 * those in (t - 2·within, t - within]. Returns `cur` when the rule fires (cur >= minCount, ref >= minReference,
 * cur >= factor·ref), else null. A fire cuts the group at t: events with occurred_at up to t no longer count (one
 * surge fires once). Events older than clock - 2·within are dropped, and an event that is itself that late (or at or
 * before the cut) does not count at all.
 */
export function spikeStep(
  state: RuleState,
  ruleId: string,
  key: string,
  at: number,
  spike: Spike,
): number | null {
  const floor = state.clock - 2 * spike.within
  const stored = state.spikes?.[ruleId]?.[key]
  if (at < floor || (stored !== undefined && at <= stored.cut)) return null
  let group: SpikeGroup
  if (stored === undefined || Object.isFrozen(stored)) {
    // Replaced, never changed in place: a stored record may be shared with the last saved state (frozen).
    group = {
      times: stored === undefined ? [] : stored.times.slice(),
      cut: stored?.cut ?? Number.MIN_SAFE_INTEGER,
    }
    bucket(ownMap(state, 'spikes'), ruleId)[key] = group
  } else group = stored
  const { times } = group
  const old = from(times, floor)
  if (old > 0) times.splice(0, old)
  if (times.length === 0 || times[times.length - 1]! <= at) times.push(at)
  else times.splice(after(times, at), 0, at)
  const upToT = after(times, at)
  const upToCur = after(times, at - spike.within)
  const cur = upToT - upToCur
  const ref = upToCur - after(times, at - 2 * spike.within)
  if (cur < spike.minCount || ref < spike.minReference || cur < spike.factor * ref) return null
  times.splice(0, upToT)
  group.cut = at
  return cur
}

/** Drop counted times older than clock - 2·within, and groups with none left whose cut no longer matters. */
export function pruneSpikes(state: RuleState, ruleId: string, within: number): void {
  const all = state.spikes
  const shared = all?.[ruleId]
  if (!all || !shared) return
  const floor = state.clock - 2 * within
  let spikes: Record<string, SpikeGroup> | undefined // a writable bucket, taken at the first change only
  for (const [key, group] of Object.entries(shared)) {
    const old = from(group.times, floor)
    if (old === 0 && (group.times.length > 0 || group.cut >= floor)) continue
    spikes ??= bucket(all, ruleId)
    const times = group.times.slice(old)
    if (times.length === 0 && group.cut < floor) delete spikes[key]
    else spikes[key] = { times, cut: group.cut }
  }
  if (Object.keys(spikes ?? shared).length === 0) delete all[ruleId]
}
