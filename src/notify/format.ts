/** Time and duration formatting for messages. */

/** `2026-03-01 14:05:09 CET` in the given IANA timezone (falls back to UTC for an unknown zone). */
export function formatTime(time: string | number, timezone: string): string {
  const date = new Date(time)
  if (Number.isNaN(date.getTime())) return String(time)
  let format: Intl.DateTimeFormat
  try {
    format = dateFormat(timezone)
  } catch {
    format = dateFormat('UTC')
  }
  const parts: Record<string, string> = {}
  for (const part of format.formatToParts(date)) parts[part.type] = part.value
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second} ${parts.timeZoneName ?? timezone}`
}

function dateFormat(timeZone: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  })
}

/** `3d 4h`, `2h 5m`, `4m 10s`, `45s` (two largest units). */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return ''
  const units: Array<[string, number]> = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ]
  const parts: string[] = []
  let rest = Math.round(ms)
  for (const [label, size] of units) {
    const n = Math.floor(rest / size)
    rest -= n * size
    if (n > 0 || parts.length > 0) parts.push(`${n}${label}`)
    if (parts.length === 2) break
  }
  const shown = parts.filter((p) => !p.startsWith('0'))
  return shown.length > 0 ? shown.join(' ') : '0s'
}
