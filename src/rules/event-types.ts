import { SEAM_EVENT_TYPES } from './seam-event-types.js'

/**
 * Event type names: exact (`lock.access_denied`) or prefix patterns (`lock.*`, `*`). A pattern is a prefix followed
 * by a single trailing `*`; `*` alone matches every event type.
 */
export const EVENT_TYPE_PATTERN = /^(\*|[a-z0-9_]+(\.[a-z0-9_]+)*(\.\*)?)$/

export function isPattern(eventType: string): boolean {
  return eventType.endsWith('*')
}

export function patternPrefix(pattern: string): string {
  return pattern.slice(0, -1)
}

export function matchesEventType(pattern: string, eventType: string): boolean {
  return isPattern(pattern) ? eventType.startsWith(patternPrefix(pattern)) : pattern === eventType
}

/** Every event type the Seam API documents (generated from @seamapi/types; see scripts/write-event-types.ts). */
export function knownEventTypes(): readonly string[] {
  return SEAM_EVENT_TYPES
}

/** The known event types a name covers (itself for an exact name, known or not). */
export function expandEventType(eventType: string): string[] {
  if (!isPattern(eventType)) return [eventType]
  return knownEventTypes().filter((type) => matchesEventType(eventType, type))
}
