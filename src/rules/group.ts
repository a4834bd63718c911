import { ownMap } from '../frozen.js'
import type { Group } from './decision.js'
import { fieldValue } from './field-path.js'

/** JSON.stringify for a string, without the call for the common plain case (ids: no quotes, escapes, controls). */
function quote(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x20 || code === 0x22 || code === 0x5c || code > 0x7e) return JSON.stringify(text)
  }
  return `"${text}"`
}

/** A group's state key: `JSON.stringify` of the groupBy values (fields or dotted paths); a missing value counts as null. */
export function groupKey(groupBy: readonly string[], event: Record<string, unknown>): string {
  if (groupBy.length === 0) return '[]'
  if (groupBy.length === 1) {
    const value = fieldValue(event, groupBy[0]!)
    return typeof value === 'string' ? `[${quote(value)}]` : `[${JSON.stringify(value)}]`
  }
  return JSON.stringify(groupBy.map((field) => fieldValue(event, field)))
}

/** The group as decisions show it: `{ device_id: "..." }`, keyed by the path as written (null when missing). */
export function groupObject(groupBy: readonly string[], event: Record<string, unknown>): Group {
  const group: Group = {}
  for (const field of groupBy) group[field] = fieldValue(event, field)
  return group
}

/**
 * The bucket of one rule in a state map, ready to change: created on first use, and copied first when it is shared
 * with the last saved state (frozen; see src/frozen.ts). Read-only code reads `map[ruleId]` instead.
 */
export function bucket<T>(map: Record<string, Record<string, T>>, ruleId: string): Record<string, T> {
  return ownMap(map, ruleId)
}

/** ISO text of a time; `text` (the event's own occurred_at) is reused when it already is that exact form. */
export function iso(ms: number, text?: string): string {
  if (text !== undefined && text.length === 24 && text.charCodeAt(23) === 90 && text.charCodeAt(10) === 84)
    return text
  return new Date(ms).toISOString()
}
