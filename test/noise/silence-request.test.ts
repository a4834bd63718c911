import { describe, expect, it } from 'vitest'
import { createSilence } from '../../src/noise/silence-request.js'

const NOW = Date.parse('2026-03-01T09:00:00.000Z')
const H = 3_600_000
const opts = { now: NOW, defaultAuthor: 'alice', newId: () => 'sil-1' }

function issues(body: unknown): string[] {
  const result = createSilence(body, opts)
  if (result.ok) throw new Error('expected the request to be rejected')
  return result.issues.map((issue) => `${issue.field}: ${issue.message}`)
}

describe('creating a silence', () => {
  it('builds the silence with canonical matchers, the default author and times from now and the duration', () => {
    const result = createSilence(
      {
        matchers: ['rule = low-battery', 'device_id=~"dev_(1|2)"'],
        duration: '2h',
        comment: ' battery swap ',
      },
      opts,
    )
    expect(result).toEqual({
      ok: true,
      silence: {
        id: 'sil-1',
        matchers: ['rule=low-battery', 'device_id=~"dev_(1|2)"'],
        startsAt: '2026-03-01T09:00:00.000Z',
        endsAt: '2026-03-01T11:00:00.000Z',
        createdBy: 'alice',
        comment: 'battery swap',
        createdAt: '2026-03-01T09:00:00.000Z',
        updatedAt: '2026-03-01T09:00:00.000Z',
      },
    })
  })

  it('takes an explicit start, end, author and noSummary', () => {
    const result = createSilence(
      {
        matchers: ['rule=x'],
        startsAt: '2026-03-02T00:00:00+01:00',
        endsAt: '2026-03-02T06:00:00Z',
        createdBy: 'bob',
        comment: 'maintenance',
        noSummary: true,
      },
      opts,
    )
    expect(result.ok && result.silence).toMatchObject({
      startsAt: '2026-03-01T23:00:00.000Z',
      endsAt: '2026-03-02T06:00:00.000Z',
      createdBy: 'bob',
      noSummary: true,
    })
  })

  it('moves a start in the past to now, counting the duration from the given start (Alertmanager)', () => {
    const result = createSilence(
      { matchers: ['rule=x'], startsAt: new Date(NOW - H).toISOString(), duration: '2h', comment: 'c' },
      opts,
    )
    expect(result.ok && [result.silence.startsAt, result.silence.endsAt]).toEqual([
      new Date(NOW).toISOString(),
      new Date(NOW + H).toISOString(),
    ])
  })

  it('names the field of every problem', () => {
    expect(issues({ matchers: ['rule=a', 'x=~('], duration: '2h', comment: '' })).toEqual([
      '$.matchers[1]: matcher "x=~(": invalid regular expression (RE2 syntax): missing closing ): `(`',
      '$.comment: expected a comment saying why (required)',
    ])
    expect(issues({ matchers: 'rule=a', duration: '2 hours', comment: 'c', author: 'x' })).toEqual([
      '$.matchers: expected an array of matchers like ["rule=low-battery"]',
      '$.duration: expected a duration like "500ms", "30s", "10m", "2h" or "7d"',
      '$: Unrecognized key: "author"',
    ])
    expect(issues({ matchers: [], endsAt: 'tomorrow', duration: '1h' })).toEqual([
      '$.matchers: expected at least one matcher like "rule=low-battery"',
      '$.endsAt: expected an ISO 8601 time like "2026-03-01T09:00:00Z"',
      '$.comment: expected a comment saying why (required)',
    ])
    expect(issues(null)).toEqual(['$: Invalid input: expected object, received null'])
  })

  it('wants exactly one of endsAt and duration', () => {
    expect(issues({ matchers: ['rule=x'], comment: 'c' })).toEqual([
      '$.duration: expected exactly one of endsAt and duration',
    ])
    expect(
      issues({ matchers: ['rule=x'], comment: 'c', duration: '1h', endsAt: '2026-03-02T00:00:00Z' }),
    ).toEqual(['$.endsAt: expected exactly one of endsAt and duration'])
  })

  it('follows Alertmanager: one matcher must not match the empty string; the end after the start, not past', () => {
    expect(issues({ matchers: ['rule=~.*', 'site!=hq', 'x='], duration: '1h', comment: 'c' })).toEqual([
      '$.matchers: expected at least one matcher that does not match the empty string (this one matches every alert)',
    ])
    expect(createSilence({ matchers: ['rule=~.*', 'site=hq'], duration: '1h', comment: 'c' }, opts).ok).toBe(
      true,
    )
    expect(issues({ matchers: ['rule=x'], duration: '0s', comment: 'c' })).toEqual([
      '$.duration: expected the end to come after the start',
    ])
    const past = new Date(NOW - 1).toISOString()
    expect(
      issues({ matchers: ['rule=x'], startsAt: new Date(NOW - H).toISOString(), endsAt: past, comment: 'c' }),
    ).toEqual(['$.endsAt: expected the end to be in the future'])
    expect(
      issues({
        matchers: ['rule=x'],
        startsAt: '2026-03-02T00:00:00Z',
        endsAt: '2026-03-01T23:00:00Z',
        comment: 'c',
      }),
    ).toEqual(['$.endsAt: expected the end to come after the start'])
  })
})
