import { z } from 'zod'
import { isTimeZone } from './wall-clock.js'

/**
 * Alertmanager's `time_interval` (docs/configuration.md `<time_interval>`, timeinterval/timeinterval.go), as JSON.
 * Every field given must match; within a field one entry is enough; a field left out matches anything.
 * Ranges are `"a:b"` (inclusive) or a single value; names are case-insensitive.
 */
export type Range = readonly [begin: number, end: number]

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday']
const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
]
const INTEGER = /^[+-]?\d+$/

type Member = (text: string) => number | undefined
const weekday: Member = (text) => (WEEKDAYS.includes(text) ? WEEKDAYS.indexOf(text) : undefined)
const integer: Member = (text) => (INTEGER.test(text) ? Number(text) : undefined)
const month: Member = (text) => (MONTHS.includes(text) ? MONTHS.indexOf(text) + 1 : integer(text))

function splitRange(text: string, member: Member, what: string): Range | string {
  const parts = text.trim().toLowerCase().split(':')
  if (parts.length > 2) return `expected a ${what} or a range "a:b", got ${JSON.stringify(text)}`
  const values = parts.map((part) => member(part.trim()))
  if (values.some((value) => value === undefined)) return `expected a ${what}, got ${JSON.stringify(text)}`
  return [values[0]!, values[values.length - 1]!]
}

/** Parse one entry of `weekdays`: "monday", "monday:friday" (Sunday is 0; a range may not wrap past Saturday). */
export function parseWeekdays(text: string): Range | string {
  const range = splitRange(text, weekday, 'weekday name like "monday"')
  if (typeof range === 'string') return range
  return range[0] > range[1]
    ? `expected the start day before the end day (split "saturday:sunday" in two)`
    : range
}

/** `days_of_month`: 1..31 or -31..-1 (counted from the month's end: -1 is the last day), "1:5", "-3:-1". */
export function parseDaysOfMonth(text: string): Range | string {
  const range = splitRange(text, integer, 'day of the month (1..31, or -31..-1 from the end)')
  if (typeof range === 'string') return range
  const [begin, end] = range
  const bad = range.find((day) => day === 0 || day < -31 || day > 31)
  if (bad !== undefined) return `expected a day of the month in 1..31 or -31..-1, got ${bad}`
  if (begin < 0 && end > 0) return 'expected a negative end day after a negative start day'
  // As Alertmanager: judged on a 28-day month, the shortest, to catch ranges that are always empty.
  if ((begin < 0 ? 28 + begin : begin) > (end < 0 ? 28 + end : end))
    return `end day ${end} is always before ${begin}`
  return range
}

/** `months`: names or 1..12, "january:march", "1:3". */
export function parseMonths(text: string): Range | string {
  const range = splitRange(text, month, 'month name like "january" or number 1..12')
  if (typeof range === 'string') return range
  if (range.some((m) => m < 1 || m > 12)) return `expected months 1..12, got ${JSON.stringify(text)}`
  return range[0] > range[1] ? 'expected the start month before the end month' : range
}

/** `years`: "2026", "2026:2027". */
export function parseYears(text: string): Range | string {
  const range = splitRange(text, integer, 'year like 2026')
  if (typeof range === 'string') return range
  if (range.some((y) => y < 1)) return `expected positive years, got ${JSON.stringify(text)}`
  return range[0] > range[1] ? 'expected the start year before the end year' : range
}

const CLOCK = /^(?:([01]\d|2[0-3]):([0-5]\d)|(24):(00))$/

/** "HH:MM" (24:00 allowed as the end of the day) as minutes since midnight. */
export function parseClock(text: string): number | undefined {
  const match = CLOCK.exec(text)
  if (!match) return undefined
  return Number(match[1] ?? match[3]) * 60 + Number(match[2] ?? match[4])
}

const rangeList = (parse: (text: string) => Range | string, example: string, about: string) =>
  z
    .array(
      z.string().superRefine((text, ctx) => {
        const range = parse(text)
        if (typeof range === 'string') ctx.addIssue({ code: 'custom', message: range })
      }),
    )
    .min(1, 'expected at least one entry (leave the field out to match any)')
    .optional()
    .describe(`${about} Entries are single values or inclusive ranges, e.g. ${example}.`)

const clock = (which: string) =>
  z
    .string()
    .refine((text) => parseClock(text) !== undefined, `expected ${which} as "HH:MM" (00:00..24:00)`)
    .describe(`${which} of the local day, "HH:MM"`)

export const timeRangeSchema = z
  .strictObject({ start_time: clock('start_time'), end_time: clock('end_time') })
  .refine(
    (r) => {
      const [start, end] = [parseClock(r.start_time), parseClock(r.end_time)]
      return start === undefined || end === undefined || start < end
    },
    {
      message: 'expected start_time before end_time (split a range across midnight in two)',
      path: ['end_time'],
    },
  )

export const timeIntervalSpecSchema = z
  .strictObject({
    times: z
      .array(timeRangeSchema)
      .min(1, 'expected at least one entry (leave the field out to match any)')
      .optional()
      .describe('Times of day: [{"start_time":"08:00","end_time":"18:00"}], start inclusive, end exclusive.'),
    weekdays: rangeList(parseWeekdays, '["monday:friday", "sunday"]', 'Days of the week.'),
    days_of_month: rangeList(parseDaysOfMonth, '["1:5", "-3:-1"]', 'Days of the month; -1 is the last day.'),
    months: rangeList(parseMonths, '["january:march", "12"]', 'Months, by name or number.'),
    years: rangeList(parseYears, '["2026:2027"]', 'Years.'),
    location: z
      .string()
      .refine(isTimeZone, 'expected an IANA time zone like "Europe/Berlin" or "UTC"')
      .optional()
      .describe('IANA time zone the other fields are read in; default UTC.'),
  })
  .describe('An Alertmanager time_interval: every field given must match, any one entry within a field.')

export type TimeIntervalSpec = z.infer<typeof timeIntervalSpecSchema>

/** One spec or a list (any of them matching is enough). */
export const timeIntervalsSchema = z.union([timeIntervalSpecSchema, z.array(timeIntervalSpecSchema).min(1)])

/** Config `timeIntervals`: named lists of specs, e.g. `{"business-hours": [{"weekdays": ["monday:friday"]}]}`. */
export const namedTimeIntervalsSchema = z
  .record(
    z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'expected a name of letters, digits, "_", "." or "-"'),
    z.array(timeIntervalSpecSchema).min(1, 'expected at least one time interval spec'),
  )
  .describe(
    'Named time intervals for muteTimes and the inTimeInterval operator; a time is in one when any spec matches.',
  )
