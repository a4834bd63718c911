import { writableArray } from '../frozen.js'
import type { SeamEvent } from '../source/event.js'
import { fieldValue } from './field-path.js'
import { bucket } from './group.js'
import type { RuleState, WindowEntry } from './rule-state.js'

/** What made a window fire: its entries (oldest first) and its count (events, or distinct values). */
export interface WindowFire {
  entries: WindowEntry[]
  count: number
}

/**
 * Add a qualifying event to its group's window. Returns what makes the window fire, or null: `count` or more events
 * with occurred_at within `within` of this one (inclusive), or for a distinct-count window (`distinct`) that many
 * distinct non-null values of that field among them. The fire's entries are all the events in range, oldest first.
 * A window that fires is cleared (the caller fires, also when the throttle suppresses it). Entries older than
 * clock - within are dropped.
 */
export function windowStep(
  state: RuleState,
  ruleId: string,
  key: string,
  event: SeamEvent,
  at: number,
  window: { count: number; within: number; distinct?: string | undefined },
): WindowFire | null {
  const windows = bucket(state.windows, ruleId)
  const floor = state.clock - window.within
  const stored = windows[key]
  const entries = stored === undefined ? [] : writableArray(stored)
  if (entries !== stored) windows[key] = entries
  // Every entry older than the floor goes (not only a leading run: out-of-order entries may sit behind newer ones),
  // so what counts does not depend on when the periodic sweep (pruneWindows, the same floor) last ran.
  let kept = 0
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!
    if (entry.at >= floor) entries[kept++] = entry
  }
  if (kept < entries.length) entries.length = kept
  const { distinct, within } = window
  if (distinct === undefined) entries.push({ event_id: event.event_id, at })
  else {
    const value = fieldValue(event, distinct)
    entries.push(
      value === null
        ? { event_id: event.event_id, at }
        : { event_id: event.event_id, at, v: JSON.stringify(value) },
    )
  }
  let count = 0
  if (distinct === undefined) {
    for (const entry of entries) if (Math.abs(entry.at - at) <= within) count++
  } else {
    const values = new Set<string>()
    for (const entry of entries)
      if (entry.v !== undefined && Math.abs(entry.at - at) <= within) values.add(entry.v)
    count = values.size
  }
  if (count < window.count) return null
  delete windows[key]
  const inRange = entries.filter((entry) => Math.abs(entry.at - at) <= within).sort((a, b) => a.at - b.at)
  return { entries: inRange, count }
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
