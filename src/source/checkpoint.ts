import type { SeamEvent } from './event.js'
import type { SourceCheckpoint } from './event-source.js'

export const iso = (ms: number) => new Date(ms).toISOString()

/** Has this id been handed on (or rejected) before? Own-property check, so ids like `__proto__` are safe. */
export function wasSeen(checkpoint: SourceCheckpoint, id: string): boolean {
  return Object.hasOwn(checkpoint.seen, id)
}

/**
 * Where a fetch starts. A fresh checkpoint (cursor null) starts at its floor, or at `startFrom` ('now' or an ISO
 * time) which then becomes the floor, so the lookback never reaches before the start. `cursor` is the instant
 * before which everything has been handed on; `floor` is null when there is none.
 */
export function resolveStart(
  checkpoint: SourceCheckpoint,
  startFrom: 'now' | string,
  now: number,
): { cursor: number; floor: number | null } {
  const savedFloor = checkpoint.floor ? Date.parse(checkpoint.floor) : Number.NaN
  if (checkpoint.cursor === null) {
    const floor = Number.isNaN(savedFloor) ? (startFrom === 'now' ? now : Date.parse(startFrom)) : savedFloor
    if (Number.isNaN(floor)) throw new Error(`seam.startFrom is not "now" or an ISO time: ${startFrom}`)
    return { cursor: floor, floor }
  }
  const cursor = Date.parse(checkpoint.cursor)
  if (Number.isNaN(cursor)) throw new Error(`checkpoint cursor is not an ISO time: ${checkpoint.cursor}`)
  return { cursor, floor: Number.isNaN(savedFloor) ? null : savedFloor }
}

/**
 * The checkpoint after handing on a window that ended at `upper`: cursor = upper; seen = old ∪ new, pruned to
 * entries created at or after `min(upper, newest) - lookback`, where `newest` is the latest created_at among them
 * (older ones can no longer come back in a window). Pruning from the newest event rather than from the cursor alone
 * keeps the last lookback's ids when the cursor ran ahead of the events (a host clock that jumped forward): when
 * the cursor is put back (daemon/future-cursor.ts), re-reading hands on nothing twice.
 * `extraSeen` holds ids of rejected events (stamped so they stay as long as they could be re-read).
 */
export function nextCheckpoint(
  old: SourceCheckpoint,
  events: readonly SeamEvent[],
  extraSeen: ReadonlyMap<string, number>,
  upper: number,
  lookbackMs: number,
  floor: number | null,
): SourceCheckpoint {
  const all = new Map<string, number>()
  let newest = Number.NEGATIVE_INFINITY
  const add = (id: string, t: number) => {
    all.set(id, t)
    if (t > newest) newest = t
  }
  for (const [id, t] of Object.entries(old.seen)) add(id, t)
  for (const event of events) add(event.event_id, Date.parse(event.created_at))
  for (const [id, t] of extraSeen) add(id, t)
  const keepFrom = Math.min(upper, newest) - lookbackMs
  const seen = new Map<string, number>()
  for (const [id, t] of all) if (t >= keepFrom) seen.set(id, t)
  return { cursor: iso(upper), seen: Object.fromEntries(seen), floor: floor === null ? null : iso(floor) }
}
