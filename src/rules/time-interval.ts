import {
  parseClock,
  parseDaysOfMonth,
  parseMonths,
  parseWeekdays,
  parseYears,
  type Range,
  type TimeIntervalSpec,
} from './time-interval-schema.js'
import { type WallClock, wallClock } from './wall-clock.js'

/** A spec with its strings parsed once; undefined fields match anything. */
export interface CompiledInterval {
  zone: string
  times?: Range[]
  weekdays?: Range[]
  daysOfMonth?: Range[]
  months?: Range[]
  years?: Range[]
  /** Minutes of the day where `times` membership can change, ascending, ending with 1440 (next midnight). */
  boundaries: number[]
}

const compiled = new WeakMap<TimeIntervalSpec, CompiledInterval>()

function ranges(
  list: readonly string[] | undefined,
  parse: (text: string) => Range | string,
): Range[] | undefined {
  return list?.map((text) => {
    const range = parse(text)
    if (typeof range === 'string') throw new RangeError(`invalid time interval: ${range}`)
    return range
  })
}

/** Parse a spec (cached per spec object). Throws RangeError for a spec timeIntervalSpecSchema would reject. */
export function compileTimeInterval(spec: TimeIntervalSpec): CompiledInterval {
  let out = compiled.get(spec)
  if (out) return out
  const times = spec.times?.map(({ start_time, end_time }): Range => {
    const start = parseClock(start_time)
    const end = parseClock(end_time)
    if (start === undefined || end === undefined || start >= end)
      throw new RangeError(`invalid time interval: times ${start_time}..${end_time}`)
    return [start, end]
  })
  const boundaries = [...new Set([...(times ?? []).flat(), 1440])].filter((m) => m > 0).sort((a, b) => a - b)
  out = {
    zone: spec.location ?? 'UTC',
    times,
    weekdays: ranges(spec.weekdays, parseWeekdays),
    daysOfMonth: ranges(spec.days_of_month, parseDaysOfMonth),
    months: ranges(spec.months, parseMonths),
    years: ranges(spec.years, parseYears),
    boundaries,
  }
  compiled.set(spec, out)
  return out
}

const within = (list: readonly Range[] | undefined, value: number): boolean =>
  list === undefined || list.some(([begin, end]) => value >= begin && value <= end)

/** Does the local day match the date fields (weekdays, days_of_month, months, years)? */
export function dateMatches(interval: CompiledInterval, wall: WallClock): boolean {
  if (!within(interval.years, wall.year) || !within(interval.months, wall.month)) return false
  if (!within(interval.weekdays, wall.weekday)) return false
  if (interval.daysOfMonth === undefined) return true
  const length = wall.daysInMonth
  return interval.daysOfMonth.some(([from, to]) => {
    // Negative days count from the end (-1 = last day). As Alertmanager, a range is cut at the month's end:
    // "1:31" covers all of February, "30:31" none of it.
    const begin = from < 0 ? length + from + 1 : from
    const end = to < 0 ? length + to + 1 : to
    return wall.day >= begin && wall.day <= end
  })
}

/** Does the local time of day match `times` (start inclusive, end exclusive)? */
export function timeMatches(interval: CompiledInterval, wall: WallClock): boolean {
  return (
    interval.times === undefined ||
    interval.times.some(([start, end]) => wall.minute >= start && wall.minute < end)
  )
}

export function intervalContains(interval: CompiledInterval, epochMs: number): boolean {
  const wall = wallClock(epochMs, interval.zone)
  return timeMatches(interval, wall) && dateMatches(interval, wall)
}

/** Is `epochMs` inside the interval, or inside any of a list of intervals? */
export function inTimeInterval(
  specs: TimeIntervalSpec | readonly TimeIntervalSpec[],
  epochMs: number,
): boolean {
  const list: readonly TimeIntervalSpec[] = Array.isArray(specs) ? specs : [specs as TimeIntervalSpec]
  return list.some((spec) => intervalContains(compileTimeInterval(spec), epochMs))
}
