/**
 * Local wall-clock fields of an instant in an IANA time zone, from Intl.DateTimeFormat (one cached formatter per
 * zone; UTC is computed directly). Times are taken at minute resolution, as Alertmanager's time intervals are.
 */
export interface WallClock {
  year: number
  /** 1 = January. */
  month: number
  day: number
  /** 0 = Sunday. */
  weekday: number
  /** Minutes since local midnight, 0..1439. */
  minute: number
  daysInMonth: number
}

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatter(zone: string): Intl.DateTimeFormat {
  let format = formatters.get(zone)
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    })
    formatters.set(zone, format)
  }
  return format
}

/** Is `zone` an IANA time zone this runtime knows (e.g. "Europe/Berlin", "UTC")? */
export function isTimeZone(zone: string): boolean {
  try {
    formatter(zone)
    return true
  } catch {
    return false
  }
}

const daysIn = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate()

function fields(year: number, month: number, day: number, hour: number, minute: number): WallClock {
  return {
    year,
    month,
    day,
    weekday: new Date(Date.UTC(year, month - 1, day)).getUTCDay(),
    minute: (hour % 24) * 60 + minute,
    daysInMonth: daysIn(year, month),
  }
}

/** The wall clock in `zone` at `epochMs`. Throws RangeError for an unknown zone (validate with isTimeZone). */
export function wallClock(epochMs: number, zone: string): WallClock {
  if (zone === 'UTC') {
    const d = new Date(epochMs)
    return fields(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes())
  }
  let year = 0
  let month = 0
  let day = 0
  let hour = 0
  let minute = 0
  for (const part of formatter(zone).formatToParts(epochMs)) {
    if (part.type === 'year') year = Number(part.value)
    else if (part.type === 'month') month = Number(part.value)
    else if (part.type === 'day') day = Number(part.value)
    else if (part.type === 'hour') hour = Number(part.value)
    else if (part.type === 'minute') minute = Number(part.value)
  }
  return fields(year, month, day, hour, minute)
}

/** Start of the UTC minute holding `epochMs` (floor, also before 1970). */
export const minuteStart = (epochMs: number): number => epochMs - (((epochMs % 60_000) + 60_000) % 60_000)

/** The zone's offset from UTC in minutes at `epochMs` (e.g. 60 for CET, 120 for CEST). */
export function utcOffsetMinutes(epochMs: number, zone: string): number {
  const wall = wallClock(epochMs, zone)
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day) + wall.minute * 60_000
  return Math.round((asUtc - minuteStart(epochMs)) / 60_000)
}
