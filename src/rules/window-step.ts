import { writableArray } from '../frozen.js'
import type { SeamEvent } from '../source/event.js'
import { bucket } from './group.js'
import type { RuleState, WindowEntry } from './rule-state.js'

/**
 * Add a qualifying event to its group's window. Returns the entries that make the window fire (`count` or more
 * events with occurred_at within `within` of this one, inclusive, oldest first), or null. After a fire the caller
 * clears the window (also when the throttle suppresses the fire). Entries older than clock - within are dropped.
 */
export function windowStep(
  state: RuleState,
  ruleId: string,
  key: string,
  event: SeamEvent,
  at: number,
  window: { count: number; within: number },
): WindowEntry[] | null {
  const windows = bucket(state.windows, ruleId)
  const floor = state.clock - window.within
  const stored = windows[key]
  const entries = stored === undefined ? [] : writableArray(stored)
  if (entries !== stored) windows[key] = entries
  let drop = 0
  while (drop < entries.length && entries[drop]!.at < floor) drop++
  if (drop > 0) entries.splice(0, drop)
  entries.push({ event_id: event.event_id, at })
  let inRange = 0
  for (const entry of entries) if (Math.abs(entry.at - at) <= window.within) inRange++
  if (inRange < window.count) return null
  delete windows[key]
  return entries.filter((entry) => Math.abs(entry.at - at) <= window.within).sort((a, b) => a.at - b.at)
}

/** Drop window entries that can no longer count (older than clock - within) and empty groups. */
export function pruneWindows(state: RuleState, ruleId: string, within: number): void {
  const shared = state.windows[ruleId]
  if (!shared) return
  const floor = state.clock - within
  let windows: Record<string, WindowEntry[]> | undefined // a writable bucket, taken at the first change only
  for (const [key, entries] of Object.entries(shared)) {
    if (entries.every((entry) => entry.at >= floor)) continue
    windows ??= bucket(state.windows, ruleId)
    const kept = entries.filter((entry) => entry.at >= floor)
    if (kept.length === 0) delete windows[key]
    else windows[key] = kept
  }
  if (Object.keys(windows ?? shared).length === 0) delete state.windows[ruleId]
}
