import { terminalSafe } from '../terminal-text.js'

/** Escaping per target. Template values and event fields always pass through one of these. */

/** Slack mrkdwn: only `&`, `<`, `>` are control characters (links, mentions, `<!channel>`). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
}

/** A mail header value: never CR/LF (or any other control character), so nothing can add a header. */
export function headerSafe(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim()
}

/**
 * Terminal / plain text: drop C0 and C1 control characters (ANSI escapes) except newline and tab, and bidi
 * overrides. The one terminal sanitizer (terminal-text.ts).
 */
export const plainSafe: (text: string) => string = terminalSafe

/** A single-line value inside a multi-line body (plain text or mrkdwn field). */
export function oneLine(text: string): string {
  return text.replace(/[\r\n\u2028\u2029]+/g, ' ')
}

export type Escape = (text: string) => string
