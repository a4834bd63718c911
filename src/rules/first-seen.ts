import { deleteKeys, ownMap } from '../frozen.js'
import type { SeamEvent } from '../source/event.js'
import type { FirstSeen } from './fleet-schema.js'
import { bucket, groupKey } from './group.js'
import type { RuleState } from './rule-state.js'

/** Default `limits.firstSeenMax`: tuples remembered per first-seen rule. */
export const DEFAULT_FIRST_SEEN_MAX = 100_000

/** Told how many remembered tuples a first-seen rule evicted at its cap (the oldest go first). */
export type FirstSeenEvicted = (ruleId: string, evicted: number) => void

/** The text that identifies a `firstSeen` section: a changed section forgets what the rule learned. */
export function firstSeenSection(firstSeen: FirstSeen): string {
  return JSON.stringify([firstSeen.fields, firstSeen.remember, firstSeen.learnFor ?? null])
}

/** Remembered tuples per rule map (maps are replaced by copies once per update, so the cache follows them). */
const sizes = new WeakMap<Record<string, number>, number>()

/**
 * A qualifying event of a first-seen rule: does it fire? Its tuple (the `fields` values, missing = null) fires when
 * it has no last-seen time, or one earlier than occurred_at - remember. A tuple whose last-seen time is earlier than
 * clock - remember is forgotten (pruned), so it counts as unseen too; for events in order that is the same rule.
 * While `learnFor` lasts (from the occurred_at of the first qualifying event the rule processed) nothing fires.
 * Every qualifying event then sets its tuple's last-seen time to the later of the two.
 */
export function firstSeenStep(
  state: RuleState,
  ruleId: string,
  firstSeen: FirstSeen,
  event: SeamEvent,
  at: number,
  max: number,
  onEvicted?: FirstSeenEvicted,
  /** The tuple's key when the caller has it already (groupBy equal to the fields): groupKey(fields, event). */
  tupleKey?: string,
): boolean {
  let learning = state.learning?.[ruleId]
  if (learning === undefined) {
    learning = { section: firstSeenSection(firstSeen), since: at }
    ownMap(state, 'learning')[ruleId] = learning
  }
  const tuple = tupleKey ?? groupKey(firstSeen.fields, event)
  const last = state.firstSeen?.[ruleId]?.[tuple]
  const floor = state.clock - firstSeen.remember
  const known = last !== undefined && last >= floor && last >= at - firstSeen.remember
  const learns = firstSeen.learnFor !== undefined && at < learning.since + firstSeen.learnFor
  if (last === undefined || at > last) {
    const tuples = bucket(ownMap(state, 'firstSeen'), ruleId)
    tuples[tuple] = at
    if (last === undefined) {
      const size = (sizes.get(tuples) ?? Object.keys(tuples).length - 1) + 1
      sizes.set(tuples, size)
      if (size > max) evict(state, ruleId, floor, max, onEvicted)
    }
  }
  return !known && !learns
}

/** Do two field lists name the same fields in the same order (then the group key is the tuple key)? */
export function sameFields(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/**
 * Over the cap: forget the tuples older than clock - remember, then, while more than `max` remain, the oldest
 * (by last-seen time, then key) down to 90% of the cap (so a flood of new tuples does not scan the map each time).
 */
function evict(
  state: RuleState,
  ruleId: string,
  floor: number,
  max: number,
  onEvicted?: FirstSeenEvicted,
): void {
  const tuples = bucket(ownMap(state, 'firstSeen'), ruleId)
  for (const key of Object.keys(tuples)) if (tuples[key]! < floor) delete tuples[key]
  const keys = Object.keys(tuples)
  const target = max - Math.floor(max / 10)
  if (keys.length > max) {
    const evicted = keys.length - target
    // The evicted are those last seen before the threshold, then the first (by key) of those seen at it.
    const times = Float64Array.from(keys, (key) => tuples[key]!).sort()
    const threshold = times[evicted - 1]!
    const tied: string[] = []
    for (const key of keys) {
      const time = tuples[key]!
      if (time < threshold) delete tuples[key]
      else if (time === threshold) tied.push(key)
    }
    let before = 0
    while (before < evicted && times[before]! < threshold) before++
    tied.sort()
    for (let i = 0; i < evicted - before; i++) delete tuples[tied[i]!]
    onEvicted?.(ruleId, evicted)
  }
  sizes.set(tuples, Math.min(keys.length, target))
}

/** Forget tuples last seen before clock - remember (they count as unseen anyway). */
export function pruneFirstSeen(state: RuleState, ruleId: string, remember: number): void {
  const all = state.firstSeen
  const shared = all?.[ruleId]
  if (!all || !shared) return
  const floor = state.clock - remember
  const old = Object.keys(shared).filter((key) => shared[key]! < floor)
  if (old.length === 0) return
  if (old.length === Object.keys(shared).length) delete all[ruleId]
  else deleteKeys(all, ruleId, old)
  const kept = all[ruleId]
  if (kept) sizes.delete(kept)
}

/**
 * What a rule learned stays while its `firstSeen` section is the same (an edit of its conditions, throttle or
 * actions keeps it); it is forgotten when the section changes or the rule is no longer a first-seen rule.
 * Returns true when something was forgotten.
 */
export function reconcileFirstSeen(
  state: RuleState,
  sectionOf: (ruleId: string) => string | undefined,
): boolean {
  let dropped = false
  const learning = state.learning ?? {}
  const tuples = state.firstSeen ?? {}
  for (const ruleId of new Set([...Object.keys(learning), ...Object.keys(tuples)])) {
    const section = sectionOf(ruleId)
    if (section !== undefined && learning[ruleId]?.section === section) continue
    delete learning[ruleId]
    delete tuples[ruleId]
    dropped = true
  }
  return dropped
}
