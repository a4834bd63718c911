/**
 * RFC 3339 `date-time` (section 5.6), the only timestamp form Seam sends and the docs promise:
 * `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)`, `T` and `Z` in either case. Every field is range-checked
 * (month 01-12, a day that exists in that month, hour 00-23, minute and second 00-59: `Date` cannot hold a leap
 * second), so `Date.parse` of an accepted text never yields NaN. Anything else `Date.parse` would guess at
 * ("1", "Tue Dec 01 2026", "2026-02-30T00:00:00Z", a date without a time or offset) is refused.
 * A hand-written scanner: it runs twice per event, and is several times faster than a regular expression.
 */
export function isRfc3339(text: string): boolean {
  const n = text.length
  if (n < 20) return false
  const year = num(text, 0, 4)
  const month = num(text, 5, 2)
  const day = num(text, 8, 2)
  const hour = num(text, 11, 2)
  const minute = num(text, 14, 2)
  const second = num(text, 17, 2)
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return false
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return false
  if (text.charCodeAt(4) !== DASH || text.charCodeAt(7) !== DASH) return false
  const t = text.charCodeAt(10)
  if ((t !== 0x54 && t !== 0x74) || text.charCodeAt(13) !== COLON || text.charCodeAt(16) !== COLON)
    return false
  let i = 19
  if (text.charCodeAt(i) === 0x2e) {
    i++
    const start = i
    while (i < n && isDigit(text.charCodeAt(i))) i++
    if (i === start) return false
  }
  const zone = text.charCodeAt(i)
  if (zone === 0x5a || zone === 0x7a) return i + 1 === n
  if (zone !== 0x2b && zone !== DASH) return false
  if (i + 6 !== n || text.charCodeAt(i + 3) !== COLON) return false
  const offsetHour = num(text, i + 1, 2)
  const offsetMinute = num(text, i + 4, 2)
  return offsetHour >= 0 && offsetHour <= 23 && offsetMinute >= 0 && offsetMinute <= 59
}

const DASH = 0x2d
const COLON = 0x3a

const isDigit = (code: number) => code >= 0x30 && code <= 0x39

/** The decimal number in text[at, at + len), or -1 when any of those is not a digit. */
function num(text: string, at: number, len: number): number {
  let value = 0
  for (let i = at; i < at + len; i++) {
    const code = text.charCodeAt(i)
    if (!isDigit(code)) return -1
    value = value * 10 + (code - 0x30)
  }
  return value
}

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31
}
