import type { SeamEvent } from '../source/event.js'

/** Default of `limits.occurredAtSkew`: how far occurred_at may be ahead of created_at before it is not trusted. */
export const DEFAULT_OCCURRED_AT_SKEW_MS = 5 * 60_000

/** Told of an event whose occurred_at was too far ahead of its created_at (times in epoch ms). */
export type ClampedEventHandler = (event: SeamEvent, occurredAt: number, createdAt: number) => void

/** Canonical `toISOString` text: texts of this one form compare like the times they name. */
const canonical = (text: string) => text.length === 24 && text.charCodeAt(23) === 90

/**
 * The time the rules use for an event (windows, throttles, absence deadlines, the rule clock, a decision's `at`):
 * its occurred_at, unless that is more than `skewMs` after its created_at - a device clock in the future - when it
 * is created_at (Seam's own clock), and `onClamped` is told. An occurred_at in 2036 would otherwise set a throttle
 * to 2036 and silence the group until then. Earlier occurred_at values (delayed, offline devices) are kept as they
 * are: being late is normal, being early is not.
 */
export function ruleTimeOf(event: SeamEvent, skewMs: number, onClamped?: ClampedEventHandler): number {
  const occurredText = event.occurred_at
  const createdText = event.created_at
  const occurred = Date.parse(occurredText)
  // The common case without a second parse: both canonical, occurred_at not after created_at.
  if (canonical(occurredText) && canonical(createdText) && occurredText <= createdText) return occurred
  const created = Date.parse(createdText)
  if (!(occurred - created > skewMs)) return occurred
  onClamped?.(event, occurred, created)
  return created
}
