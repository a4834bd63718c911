import { createRequire } from 'node:module'

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

interface EventSchemaLike {
  properties?: { event_type?: { enum?: readonly string[] } }
}

let known: readonly string[] | undefined

/**
 * Every event type the Seam API documents, from the @seamapi/types OpenAPI schema. Loaded on first use (the
 * schema is large, ~50 MB in memory), so `replay` and evaluation never pay for it.
 */
export function knownEventTypes(): readonly string[] {
  if (!known) {
    const { openapi } = createRequire(import.meta.url)('@seamapi/types/connect') as {
      openapi: { components: { schemas: { event: unknown } } }
    }
    const variants = (openapi.components.schemas.event as { oneOf: EventSchemaLike[] }).oneOf
    known = [...new Set(variants.flatMap((variant) => variant.properties?.event_type?.enum ?? []))].sort()
  }
  return known
}

/** The known event types a name covers (itself for an exact name, known or not). */
export function expandEventType(eventType: string): string[] {
  if (!isPattern(eventType)) return [eventType]
  return knownEventTypes().filter((type) => matchesEventType(eventType, type))
}
