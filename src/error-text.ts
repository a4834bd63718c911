import { scrubSecrets } from './secrets/scrub.js'

/**
 * Longest error text kept anywhere: delivery errors (DeliveryError), dead-letter `reason` and `lastError`,
 * logged `err` fields, /healthz reasons. A 20 MB HTML error page from a proxy must not become a 20 MB log line
 * or state file: 2 KiB tells what went wrong.
 */
export const MAX_ERROR_TEXT = 2048

/**
 * `text` cut to `max` characters (never inside a UTF-16 surrogate pair), ending in a marker that says how long it
 * was: `… (trimmed: 20971520 chars)`. Shorter text is returned as is.
 */
export function clipText(text: string, max: number): string {
  if (text.length <= max) return text
  let end = max
  const code = text.charCodeAt(end - 1)
  if (code >= 0xd800 && code <= 0xdbff) end-- // a high surrogate: keep the pair whole or not at all
  return `${text.slice(0, end)}… (trimmed: ${text.length} chars)`
}

/**
 * THE helper for an error text that is stored or logged: every configured secret scrubbed first (a cut must never
 * leave part of a secret that the scrubber no longer recognises), then capped at MAX_ERROR_TEXT.
 */
export function errorText(text: string): string {
  return clipText(scrubSecrets(text), MAX_ERROR_TEXT)
}
