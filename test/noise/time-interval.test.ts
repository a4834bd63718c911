import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { inTimeInterval } from '../../src/rules/time-interval.js'
import { type TimeIntervalSpec, timeIntervalSpecSchema } from '../../src/rules/time-interval-schema.js'
import { utcOffsetMinutes, wallClock } from '../../src/rules/wall-clock.js'
import { specAndInstant } from './time-arbitraries.js'
import { referenceContains, ZONES } from './time-reference.js'

const at = (text: string) => Date.parse(text)
const berlin = (spec: TimeIntervalSpec): TimeIntervalSpec => ({ location: 'Europe/Berlin', ...spec })

describe('inTimeInterval', () => {
  const business = berlin({
    weekdays: ['monday:friday'],
    times: [{ start_time: '08:00', end_time: '18:00' }],
  })

  it('reads business hours in the location, start inclusive and end exclusive', () => {
    expect(inTimeInterval(business, at('2026-01-05T07:00:00Z'))).toBe(true) // Monday 08:00 CET
    expect(inTimeInterval(business, at('2026-01-05T06:59:59Z'))).toBe(false)
    expect(inTimeInterval(business, at('2026-01-05T16:59:59Z'))).toBe(true) // 17:59:59
    expect(inTimeInterval(business, at('2026-01-05T17:00:00Z'))).toBe(false) // 18:00
    expect(inTimeInterval(business, at('2026-07-06T06:00:00Z'))).toBe(true) // Monday 08:00 CEST
    expect(inTimeInterval(business, at('2026-01-10T10:00:00Z'))).toBe(false) // Saturday
    expect(inTimeInterval({ ...business, location: undefined }, at('2026-01-05T07:30:00Z'))).toBe(false) // UTC
  })

  it('is right across the Berlin spring-forward: 02:00-03:00 does not exist on 2026-03-29', () => {
    const night = berlin({ times: [{ start_time: '02:00', end_time: '03:00' }] })
    expect(inTimeInterval(night, at('2026-03-28T01:30:00Z'))).toBe(true) // Saturday 02:30 CET
    expect(inTimeInterval(night, at('2026-03-29T00:59:00Z'))).toBe(false) // 01:59 CET
    expect(inTimeInterval(night, at('2026-03-29T01:00:00Z'))).toBe(false) // 03:00 CEST
    expect(wallClock(at('2026-03-29T01:00:00Z'), 'Europe/Berlin').minute).toBe(180)
    expect(utcOffsetMinutes(at('2026-03-29T01:00:00Z'), 'Europe/Berlin')).toBe(120)
  })

  it('is right across the Berlin fall-back: 02:00-03:00 happens twice on 2026-10-25', () => {
    const night = berlin({ times: [{ start_time: '02:00', end_time: '03:00' }] })
    expect(inTimeInterval(night, at('2026-10-24T23:59:00Z'))).toBe(false) // 01:59 CEST
    expect(inTimeInterval(night, at('2026-10-25T00:30:00Z'))).toBe(true) // 02:30 CEST
    expect(inTimeInterval(night, at('2026-10-25T01:30:00Z'))).toBe(true) // 02:30 CET
    expect(inTimeInterval(night, at('2026-10-25T02:00:00Z'))).toBe(false) // 03:00 CET
  })

  it('counts negative days_of_month from the end of the month, leap years included, in the location', () => {
    const last = { days_of_month: ['-1'] }
    expect(inTimeInterval(last, at('2026-02-28T12:00:00Z'))).toBe(true)
    expect(inTimeInterval(last, at('2026-02-27T12:00:00Z'))).toBe(false)
    expect(inTimeInterval(last, at('2028-02-28T12:00:00Z'))).toBe(false)
    expect(inTimeInterval(last, at('2028-02-29T12:00:00Z'))).toBe(true)
    expect(inTimeInterval({ days_of_month: ['-3:-1'] }, at('2026-01-29T00:00:00Z'))).toBe(true)
    expect(inTimeInterval({ days_of_month: ['-3:-1'] }, at('2026-01-28T23:59:00Z'))).toBe(false)
    expect(inTimeInterval({ days_of_month: ['1:31'] }, at('2026-02-28T00:00:00Z'))).toBe(true) // clamped
    expect(inTimeInterval({ days_of_month: ['30:31'] }, at('2026-02-28T00:00:00Z'))).toBe(false)
    // 23:30 UTC on Jan 31 is already Feb 1 in Berlin.
    expect(inTimeInterval(last, at('2026-01-31T23:30:00Z'))).toBe(true)
    expect(inTimeInterval(berlin(last), at('2026-01-31T23:30:00Z'))).toBe(false)
  })

  it('matches months and years by name, number or range, and any one of a list of specs', () => {
    expect(
      inTimeInterval({ months: ['January:March'], years: ['2026:2027'] }, at('2027-03-31T23:59:00Z')),
    ).toBe(true)
    expect(inTimeInterval({ months: ['1:3'] }, at('2027-04-01T00:00:00Z'))).toBe(false)
    expect(inTimeInterval({ years: ['2026'] }, at('2027-01-01T00:00:00Z'))).toBe(false)
    const weekend = [
      { weekdays: ['saturday', 'Sunday'] },
      { times: [{ start_time: '00:00', end_time: '06:00' }] },
    ]
    expect(inTimeInterval(weekend, at('2026-01-04T12:00:00Z'))).toBe(true)
    expect(inTimeInterval(weekend, at('2026-01-05T05:59:00Z'))).toBe(true)
    expect(inTimeInterval(weekend, at('2026-01-05T06:00:00Z'))).toBe(false)
    expect(inTimeInterval([], at('2026-01-05T06:00:00Z'))).toBe(false)
    expect(inTimeInterval({}, at('2026-01-05T06:00:00Z'))).toBe(true)
  })

  it('agrees with a reference built on the written DST rules, around transitions and month ends (property)', () => {
    // The reference's zone rules are themselves checked against Intl first.
    for (const zone of Object.keys(ZONES)) {
      for (let t = at('2026-01-01T00:00:00Z'); t < at('2027-01-01T00:00:00Z'); t += 3_600_000 * 7) {
        expect(utcOffsetMinutes(t, zone), `${zone} ${new Date(t).toISOString()}`).toBe(ZONES[zone]!(t))
      }
    }
    fc.assert(
      fc.property(specAndInstant, ([spec, t]) => {
        expect(inTimeInterval(spec, t)).toBe(referenceContains(spec, t))
      }),
      { numRuns: 1000 },
    )
  })
})

describe('the time interval schema', () => {
  const problems = (spec: unknown) => {
    const result = timeIntervalSpecSchema.safeParse(spec)
    return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
  }

  it('accepts the Alertmanager forms', () => {
    expect(
      problems({
        weekdays: ['monday:friday', 'Sunday'],
        times: [{ start_time: '00:00', end_time: '24:00' }],
        days_of_month: ['1:5', '-3:-1', '15'],
        months: ['january:march', '12', '4:5'],
        years: ['2026:2027', '2030'],
        location: 'America/New_York',
      }),
    ).toEqual([])
  })

  it('names each bad entry and what was expected', () => {
    expect(
      problems({
        weekdays: ['saturday:sunday', 'funday'],
        times: [
          { start_time: '18:00', end_time: '08:00' },
          { start_time: '8:00', end_time: '25:00' },
        ],
        days_of_month: ['0', '-1:5', '5:1', '32'],
        months: ['march:january', '13'],
        years: ['2027:2026'],
        location: 'Mars/Olympus',
        extra: true,
      }),
    ).toEqual([
      'times.0.end_time: expected start_time before end_time (split a range across midnight in two)',
      'times.1.start_time: expected start_time as "HH:MM" (00:00..24:00)',
      'times.1.end_time: expected end_time as "HH:MM" (00:00..24:00)',
      'weekdays.0: expected the start day before the end day (split "saturday:sunday" in two)',
      'weekdays.1: expected a weekday name like "monday", got "funday"',
      'days_of_month.0: expected a day of the month in 1..31 or -31..-1, got 0',
      'days_of_month.1: expected a negative end day after a negative start day',
      'days_of_month.2: end day 1 is always before 5',
      'days_of_month.3: expected a day of the month in 1..31 or -31..-1, got 32',
      'months.0: expected the start month before the end month',
      'months.1: expected months 1..12, got "13"',
      'years.0: expected the start year before the end year',
      'location: expected an IANA time zone like "Europe/Berlin" or "UTC"',
      ': Unrecognized key: "extra"',
    ])
    expect(problems({ weekdays: [] })).toEqual([
      'weekdays: expected at least one entry (leave the field out to match any)',
    ])
  })
})
