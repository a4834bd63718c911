import fc from 'fast-check'
import type { TimeIntervalSpec } from '../../src/rules/time-interval-schema.js'
import { ZONES } from './time-reference.js'

/** Generated time-interval specs and instants that stress DST transitions and month ends. */
const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday']
// Minutes that sit on or next to the DST jumps (01:00-03:00 local) and ordinary hours.
const MINUTES = [0, 30, 59, 60, 90, 120, 150, 179, 180, 210, 480, 1080, 1439, 1440]
const hhmm = (m: number) =>
  `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`

const range = (lo: number, hi: number) =>
  fc.tuple(fc.integer({ min: lo, max: hi }), fc.integer({ min: lo, max: hi })).map(([a, b]) => {
    const [x, y] = a <= b ? [a, b] : [b, a]
    return x === y ? `${x}` : `${x}:${y}`
  })

const timeRange = fc
  .tuple(fc.constantFrom(...MINUTES), fc.constantFrom(...MINUTES))
  .map(([a, b]) => (a === b ? [0, 1440] : a < b ? [a, b] : [b, a]))
  .map(([s, e]) => ({ start_time: hhmm(s!), end_time: hhmm(e!) }))

const weekday = range(0, 6).map((text) =>
  text
    .split(':')
    .map((n) => DAYS[Number(n)])
    .join(':'),
)

// Positive ranges, negative ranges (counted from the month's end), and singles of either sign.
const dayOfMonth = fc.oneof(
  range(1, 31),
  range(-31, -1),
  fc.integer({ min: 1, max: 31 }).map((d) => `-${d}`),
)
const validDays = dayOfMonth.filter((text) => {
  const [a, b = a] = text.split(':').map(Number) as [number, number?]
  return (a < 0 ? 28 + a : a) <= (b! < 0 ? 28 + b! : b!)
})

export const specArbitrary: fc.Arbitrary<TimeIntervalSpec> = fc.record(
  {
    times: fc.array(timeRange, { minLength: 1, maxLength: 2 }),
    weekdays: fc.array(weekday, { minLength: 1, maxLength: 2 }),
    days_of_month: fc.array(validDays, { minLength: 1, maxLength: 2 }),
    months: fc.array(range(1, 12), { minLength: 1, maxLength: 2 }),
    years: fc.array(fc.constantFrom('2026', '2027:2028', '2025:2026'), { minLength: 1, maxLength: 1 }),
    location: fc.constantFrom(...Object.keys(ZONES)),
  },
  { requiredKeys: [] },
)

const ANCHORS = [
  '2026-03-29T01:00:00Z', // Berlin spring-forward
  '2026-10-25T01:00:00Z', // Berlin fall-back
  '2026-03-08T07:00:00Z', // New York spring-forward
  '2026-11-01T06:00:00Z', // New York fall-back
  '2026-02-28T23:00:00Z', // month ends, leap and not
  '2028-02-29T12:00:00Z',
  '2026-12-31T23:30:00Z',
].map(Date.parse)

/** An instant within three days of a DST transition or a month end, at any second. */
const anySecond = fc
  .tuple(fc.constantFrom(...ANCHORS), fc.integer({ min: -3 * 86_400, max: 3 * 86_400 }))
  .map(([anchor, seconds]) => anchor + seconds * 1000)

const OFFSETS: Record<string, number[]> = {
  UTC: [0],
  'Asia/Kolkata': [330],
  'Europe/Berlin': [60, 120],
  'America/New_York': [-240, -300],
}

/** An instant at (or a minute beside) a start or end of the spec's times, in one of its zone's offsets. */
function onBoundary(spec: TimeIntervalSpec): fc.Arbitrary<number> {
  const edges = spec.times
    ?.flatMap((r) => [r.start_time, r.end_time])
    .map((t) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3)))
  return fc
    .record({
      anchor: fc.constantFrom(...ANCHORS),
      days: fc.integer({ min: -3, max: 3 }),
      minute: fc.constantFrom(...(edges ?? MINUTES)),
      nudge: fc.constantFrom(-1, 0, 0, 1),
      offset: fc.constantFrom(...OFFSETS[spec.location ?? 'UTC']!),
      ms: fc.integer({ min: 0, max: 59_999 }),
    })
    .map((r) => {
      const midnight = r.anchor - (r.anchor % 86_400_000) + r.days * 86_400_000
      return midnight + (r.minute + r.nudge - r.offset) * 60_000 + r.ms
    })
}

/** A spec and an instant to test it at: any second near an anchor, or right at one of the spec's own edges. */
export const specAndInstant: fc.Arbitrary<[TimeIntervalSpec, number]> = specArbitrary.chain((spec) =>
  fc.tuple(fc.constant(spec), fc.oneof(anySecond, onBoundary(spec))),
)
