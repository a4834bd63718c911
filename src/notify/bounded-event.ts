import { clipText } from '../error-text.js'

/**
 * Bounds on the copy of an event that queued and dead-lettered alerts keep in the state file. The alert needs the
 * event's type, ids, times and a few facts; a 20 MB field would otherwise be written to state.json (and its
 * .bak) on every save, and kept for weeks in the dead letters.
 */
/** Longest string kept: 2 KiB (characters). Longer ones end in `… (trimmed: N chars)`. */
export const MAX_STORED_STRING = 2048
/** Largest stored event, as JSON: 16 KiB. Beyond it the biggest fields are replaced by a `(trimmed: …)` note. */
export const MAX_STORED_EVENT = 16 * 1024
/** Deepest nesting kept: 8 levels. Anything deeper is replaced by a note. */
export const MAX_STORED_DEPTH = 8
/** Most items kept of one array, or keys of one object: 100. */
export const MAX_STORED_ITEMS = 100

/** Fields an alert is built from: never replaced (they are short after string trimming). */
const KEEP = new Set(['event_id', 'event_type', 'device_id', 'workspace_id', 'created_at', 'occurred_at'])

const sizeOf = (value: unknown): number => JSON.stringify(value)?.length ?? 0

function clip(value: unknown, depth: number, trimmed: { any: boolean }): unknown {
  if (typeof value === 'string') {
    const out = clipText(value, MAX_STORED_STRING)
    if (out !== value) trimmed.any = true
    return out
  }
  if (value === null || typeof value !== 'object') return value
  if (depth >= MAX_STORED_DEPTH) {
    trimmed.any = true
    return `(trimmed: nested deeper than ${MAX_STORED_DEPTH} levels)`
  }
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_STORED_ITEMS).map((item) => clip(item, depth + 1, trimmed))
    if (value.length > MAX_STORED_ITEMS) {
      trimmed.any = true
      items.push(`(trimmed: ${value.length - MAX_STORED_ITEMS} more items)`)
    }
    return items
  }
  const out: Record<string, unknown> = {}
  const entries = Object.entries(value)
  for (const [key, item] of entries.slice(0, MAX_STORED_ITEMS))
    Object.defineProperty(out, clipText(key, 200), {
      value: clip(item, depth + 1, trimmed),
      enumerable: true,
      writable: true,
      configurable: true,
    })
  if (entries.length > MAX_STORED_ITEMS) {
    trimmed.any = true
    out['(trimmed)'] = `${entries.length - MAX_STORED_ITEMS} more keys`
  }
  return out
}

/**
 * A bounded copy of an event for the outbox and the dead letters: strings over MAX_STORED_STRING are cut, nesting
 * past MAX_STORED_DEPTH and lists past MAX_STORED_ITEMS are cut, and while the copy is over MAX_STORED_EVENT its
 * biggest top-level fields (never the ids, type and times) are replaced by `(trimmed: N bytes)`. Every cut leaves a
 * `(trimmed…)` note where it was, and `trimmed` says whether anything was cut, so the alert can say so. An event
 * within the bounds is returned unchanged.
 */
export function boundedEvent(event: Record<string, unknown>): {
  event: Record<string, unknown>
  trimmed: boolean
} {
  const trimmed = { any: false }
  const copy = clip(event, 0, trimmed) as Record<string, unknown>
  let total = sizeOf(copy)
  if (total > MAX_STORED_EVENT) {
    trimmed.any = true
    const bySize = Object.keys(copy)
      .filter((key) => !KEEP.has(key))
      .map((key) => [key, sizeOf(copy[key])] as const)
      .sort((a, b) => b[1] - a[1])
    for (const [key, size] of bySize) {
      if (total <= MAX_STORED_EVENT) break
      const note = `(trimmed: ${size} bytes)`
      copy[key] = note
      total -= size - sizeOf(note)
    }
  }
  return trimmed.any ? { event: copy, trimmed: true } : { event, trimmed: false }
}
