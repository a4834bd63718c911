/**
 * `Retry-After` (RFC 9110 §10.2.3) as milliseconds from `now`: delta-seconds (whole, or decimal as some proxies send)
 * or an HTTP date. Undefined when absent or unreadable. Shared by the Seam client and the Slack channel.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined
  const text = value.trim()
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000
  // HTTP dates (IMF-fixdate and both obsolete forms) start with a day name; V8's Date.parse would read "-5" as a year.
  if (!/^[A-Za-z]{3}/.test(text)) return undefined
  const date = Date.parse(text)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - now)
}
