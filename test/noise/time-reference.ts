import type { TimeIntervalSpec } from '../../src/rules/time-interval-schema.js'

/**
 * A reference for time-interval membership, written differently from src/rules/time-interval.ts on purpose:
 * zone offsets come from the written DST rules (not Intl), local fields from shifted UTC getters, and each
 * field is turned into the explicit set of values it allows before checking membership.
 */
const MIN = 60_000
const NAMES = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday']
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
]
MONTHS.push('november', 'december')

/** Epoch ms of the n-th (1-based; -1 = last) Sunday of a month at hh:00 UTC (memoised: the scan asks often). */
const sundays = new Map<string, number>()
function sunday(year: number, month: number, n: number, hourUtc: number): number {
  const key = `${year}-${month}-${n}-${hourUtc}`
  const found = sundays.get(key) ?? findSunday(year, month, n, hourUtc)
  sundays.set(key, found)
  return found
}

function findSunday(year: number, month: number, n: number, hourUtc: number): number {
  const days: number[] = []
  for (let d = 1; d <= 31; d++) {
    const date = new Date(Date.UTC(year, month - 1, d))
    if (date.getUTCMonth() === month - 1 && date.getUTCDay() === 0) days.push(d)
  }
  const day = n > 0 ? days[n - 1]! : days[days.length - 1]!
  return Date.UTC(year, month - 1, day, hourUtc)
}

/** Offsets in minutes from the rules in force since 2007. */
export const ZONES: Record<string, (t: number) => number> = {
  UTC: () => 0,
  'Asia/Kolkata': () => 330,
  // EU: summer time from the last Sunday of March 01:00 UTC to the last Sunday of October 01:00 UTC.
  'Europe/Berlin': (t) => {
    const y = new Date(t).getUTCFullYear()
    return t >= sunday(y, 3, -1, 1) && t < sunday(y, 10, -1, 1) ? 120 : 60
  },
  // US: from the second Sunday of March 2:00 EST (07:00 UTC) to the first Sunday of November 2:00 EDT (06:00 UTC).
  'America/New_York': (t) => {
    const y = new Date(t).getUTCFullYear()
    return t >= sunday(y, 3, 2, 7) && t < sunday(y, 11, 1, 6) ? -240 : -300
  },
}

function expand(entry: string, member: (text: string) => number): number[] {
  const [a, b = a] = entry.toLowerCase().split(':') as [string, string?]
  const out: number[] = []
  for (let v = member(a); v <= member(b!); v++) out.push(v)
  return out
}

const monthNumber = (text: string) => (MONTHS.includes(text) ? MONTHS.indexOf(text) + 1 : Number(text))

interface Prepared {
  times?: [number, number][]
  weekdays?: Set<number>
  months?: Set<number>
  years?: Set<number>
  /** The allowed days for a month of each length (28..31). */
  days?: Map<number, Set<number>>
}

const prepared = new WeakMap<TimeIntervalSpec, Prepared>()

/** Each field as the explicit set of values it allows (days: per month length), computed once per spec. */
function prepare(spec: TimeIntervalSpec): Prepared {
  const cached = prepared.get(spec)
  if (cached) return cached
  const set = (list: string[] | undefined, values: (entry: string) => number[]) =>
    list === undefined ? undefined : new Set(list.flatMap(values))
  const clock = (text: string) => Number(text.slice(0, 2)) * 60 + Number(text.slice(3))
  const days = (length: number) => (entry: string) => {
    const [a, b = a] = entry.split(':').map(Number) as [number, number?]
    const from = a < 0 ? length + a + 1 : a
    const to = b! < 0 ? length + b! + 1 : b!
    return Array.from({ length }, (_, i) => i + 1).filter((d) => d >= from && d <= to)
  }
  const out: Prepared = {
    times: spec.times?.map((r): [number, number] => [clock(r.start_time), clock(r.end_time)]),
    weekdays: set(spec.weekdays, (e) => expand(e, (n) => NAMES.indexOf(n))),
    months: set(spec.months, (e) => expand(e, monthNumber)),
    years: set(spec.years, (e) => expand(e, Number)),
    days: spec.days_of_month && new Map([28, 29, 30, 31].map((n) => [n, set(spec.days_of_month, days(n))!])),
  }
  prepared.set(spec, out)
  return out
}

export function referenceContains(spec: TimeIntervalSpec, t: number): boolean {
  const offset = ZONES[spec.location ?? 'UTC']!(t)
  const local = new Date(Math.floor(t / MIN) * MIN + offset * MIN)
  const year = local.getUTCFullYear()
  const month = local.getUTCMonth() + 1
  const minute = local.getUTCHours() * 60 + local.getUTCMinutes()
  let length = 28
  while (new Date(Date.UTC(year, month - 1, length + 1)).getUTCMonth() === month - 1) length++
  const p = prepare(spec)
  return (
    (p.times === undefined || p.times.some(([start, end]) => minute >= start && minute < end)) &&
    (p.weekdays === undefined || p.weekdays.has(local.getUTCDay())) &&
    (p.days === undefined || p.days.get(length)!.has(local.getUTCDate())) &&
    (p.months === undefined || p.months.has(month)) &&
    (p.years === undefined || p.years.has(year))
  )
}

/** The first minute boundary after `t` where reference membership differs, scanning minute by minute. */
export function referenceNextChange(
  specs: TimeIntervalSpec[],
  t: number,
  horizonMs: number,
): number | undefined {
  const inside = (at: number) => specs.some((spec) => referenceContains(spec, at))
  const initially = inside(t)
  for (let at = Math.floor(t / MIN) * MIN + MIN; at - t <= horizonMs; at += MIN) {
    if (inside(at) !== initially) return at
  }
  return undefined
}
