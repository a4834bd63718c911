import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { nextTimeIntervalChange, timeIntervalEnd } from '../../src/rules/time-interval-end.js'
import type { TimeIntervalSpec } from '../../src/rules/time-interval-schema.js'
import { specAndInstant, specArbitrary } from './time-arbitraries.js'
import { referenceNextChange } from './time-reference.js'

const at = (text: string) => Date.parse(text)
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString())
const DAY = 86_400_000

describe('when membership changes', () => {
  const business: TimeIntervalSpec = {
    location: 'Europe/Berlin',
    weekdays: ['monday:friday'],
    times: [{ start_time: '08:00', end_time: '18:00' }],
  }

  it('ends business hours at 18:00 local, and says nothing while outside', () => {
    expect(iso(timeIntervalEnd(business, at('2026-01-09T16:00:00Z')))).toBe('2026-01-09T17:00:00.000Z')
    expect(iso(timeIntervalEnd(business, at('2026-07-10T15:59:30Z')))).toBe('2026-07-10T16:00:00.000Z')
    expect(timeIntervalEnd(business, at('2026-01-09T18:00:00Z'))).toBeUndefined()
    // From Friday evening, the next change is Monday 08:00.
    expect(iso(nextTimeIntervalChange(business, at('2026-01-09T17:00:00Z')))).toBe('2026-01-12T07:00:00.000Z')
  })

  it('finds the DST jump as the change when the wall clock skips or repeats the window edge', () => {
    const early = { location: 'Europe/Berlin', times: [{ start_time: '01:00', end_time: '02:30' }] }
    // Spring forward: 01:59 CET is followed by 03:00 CEST, so 01:00-02:30 ends at the jump (01:00 UTC).
    expect(iso(timeIntervalEnd(early, at('2026-03-29T00:10:00Z')))).toBe('2026-03-29T01:00:00.000Z')
    const night = { location: 'Europe/Berlin', times: [{ start_time: '02:00', end_time: '03:00' }] }
    // Fall back: 02:00-03:00 is lived twice, two hours in a row.
    expect(iso(timeIntervalEnd(night, at('2026-10-25T00:00:00Z')))).toBe('2026-10-25T02:00:00.000Z')
  })

  it('handles specs in different zones together, and a last day of the month', () => {
    const specs: TimeIntervalSpec[] = [
      { location: 'America/New_York', times: [{ start_time: '09:00', end_time: '10:00' }] },
      { location: 'Asia/Kolkata', times: [{ start_time: '19:30', end_time: '20:30' }] },
    ]
    // 14:00 UTC is 09:00 EST and 19:30 IST: inside both, until 15:00 UTC (10:00 EST; IST ended at 15:00 too).
    expect(iso(timeIntervalEnd(specs, at('2026-01-05T14:00:00Z')))).toBe('2026-01-05T15:00:00.000Z')
    expect(iso(timeIntervalEnd({ days_of_month: ['-2:-1'] }, at('2028-02-28T05:00:00Z')))).toBe(
      '2028-03-01T00:00:00.000Z',
    )
  })

  it('gives undefined when nothing changes within the horizon', () => {
    expect(nextTimeIntervalChange({ years: ['2020'] }, at('2026-01-01T00:00:00Z'))).toBeUndefined()
    expect(timeIntervalEnd({}, at('2026-01-01T00:00:00Z'))).toBeUndefined()
    expect(iso(nextTimeIntervalChange({ years: ['2027'] }, at('2026-06-01T00:00:00Z')))).toBe(
      '2027-01-01T00:00:00.000Z',
    )
    expect(nextTimeIntervalChange({ years: ['2027'] }, at('2026-06-01T00:00:00Z'), 30 * DAY)).toBeUndefined()
  })

  it('agrees with a minute-by-minute scan of the reference over three days (property)', () => {
    const pair = fc.tuple(specAndInstant, fc.option(specArbitrary, { nil: undefined }))
    fc.assert(
      fc.property(pair, ([[spec, t], other]) => {
        const specs = other ? [spec, other] : [spec]
        expect(iso(nextTimeIntervalChange(specs, t, 3 * DAY))).toBe(
          iso(referenceNextChange(specs, t, 3 * DAY)),
        )
      }),
      { numRuns: 100 },
    )
  })
})
