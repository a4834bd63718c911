import { describe, expect, it } from 'vitest'
import {
  expireSilence,
  newSilenceId,
  type Silence,
  silenceHolds,
  silenceRetained,
  silenceSchema,
  silenceStatus,
  silencesFor,
} from '../../src/noise/silence.js'

const T0 = Date.parse('2026-03-01T09:00:00.000Z')
const H = 3_600_000
const iso = (ms: number) => new Date(ms).toISOString()

function silence(fields: Partial<Silence> = {}): Silence {
  return {
    id: 'a8f5f167-0000-4000-8000-000000000001',
    matchers: ['rule=low-battery'],
    startsAt: iso(T0),
    endsAt: iso(T0 + 2 * H),
    createdBy: 'ops',
    comment: 'battery swap',
    ...fields,
  }
}

describe('silence status', () => {
  it('is pending before the start, active from the start, expired from the end on', () => {
    const s = silence()
    expect(silenceStatus(s, T0 - 1)).toBe('pending')
    expect(silenceStatus(s, T0)).toBe('active')
    expect(silenceStatus(s, T0 + 2 * H - 1)).toBe('active')
    expect(silenceStatus(s, T0 + 2 * H)).toBe('expired')
  })
})

describe('expire', () => {
  it('ends an active silence now, and it is expired at once', () => {
    const now = T0 + H
    const expired = expireSilence(silence(), now)
    expect(expired).toMatchObject({ startsAt: iso(T0), endsAt: iso(now), updatedAt: iso(now) })
    expect(silenceStatus(expired, now)).toBe('expired')
  })

  it('sets both start and end of a pending silence to now (as Alertmanager), so it never was active', () => {
    const now = T0 - H
    const expired = expireSilence(silence(), now)
    expect(expired).toMatchObject({ startsAt: iso(now), endsAt: iso(now) })
    expect(silenceStatus(expired, now)).toBe('expired')
  })

  it('leaves an expired silence unchanged (idempotent) and never changes its argument', () => {
    const s = Object.freeze(silence())
    expect(expireSilence(s, T0 + 3 * H)).toBe(s)
    expect(() => expireSilence(s, T0 + H)).not.toThrow()
    expect(s.endsAt).toBe(iso(T0 + 2 * H))
  })
})

describe('matching alerts', () => {
  const labels = { rule: 'low-battery', device_id: 'dev_1', 'device_custom_metadata.site': 'hq' }

  it('holds an alert only while active and when every matcher holds', () => {
    const s = silence({ matchers: ['rule=low-battery', 'device_custom_metadata.site=~"hq|lab"'] })
    expect(silenceHolds(s, labels, T0 + H)).toBe(true)
    expect(silenceHolds(s, labels, T0 - 1)).toBe(false)
    expect(silenceHolds(s, labels, T0 + 2 * H)).toBe(false)
    expect(silenceHolds(s, { ...labels, 'device_custom_metadata.site': 'depot' }, T0 + H)).toBe(false)
    expect(
      silenceHolds(silence({ matchers: ['rule=low-battery', 'device_id!=dev_1'] }), labels, T0 + H),
    ).toBe(false)
  })

  it('lists the matching active silences oldest first, whatever order they are stored in', () => {
    const a = silence({ id: 'b', startsAt: iso(T0 - H) })
    const b = silence({ id: 'a', startsAt: iso(T0) })
    const c = silence({ id: 'c', startsAt: iso(T0) })
    const other = silence({ id: 'd', matchers: ['rule=other'] })
    const expired = silence({ id: 'e', endsAt: iso(T0 + 1) })
    for (const order of [
      [a, b, c, other, expired],
      [expired, c, other, b, a],
    ]) {
      expect(silencesFor(order, labels, T0 + H).map((s) => s.id)).toEqual(['b', 'a', 'c'])
    }
  })

  it('throws a MatcherSyntaxError for a stored matcher that does not parse', () => {
    expect(() => silenceHolds(silence({ matchers: ['rule=~('] }), labels, T0 + H)).toThrow(
      /matcher "rule=~\("/,
    )
  })
})

describe('the stored form', () => {
  it('accepts a silence and rejects unknown fields and bad times', () => {
    expect(silenceSchema.safeParse(silence({ noSummary: true, createdAt: iso(T0) })).success).toBe(true)
    expect(silenceSchema.safeParse({ ...silence(), extra: 1 }).success).toBe(false)
    expect(silenceSchema.safeParse(silence({ endsAt: 'soon' })).success).toBe(false)
    const bad = silenceSchema.safeParse(silence({ matchers: ['rule=x', 'site=~('] }))
    expect(bad.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['matchers.1', 'matcher "site=~(": invalid regular expression (RE2 syntax): missing closing ): `(`'],
    ])
  })

  it('keeps an expired silence for the retention period after its end', () => {
    expect(silenceRetained(silence(), T0 + 2 * H + H - 1, H)).toBe(true)
    expect(silenceRetained(silence(), T0 + 3 * H, H)).toBe(false)
  })

  it('makes ids as random UUIDs (v4)', () => {
    const ids = new Set(Array.from({ length: 100 }, newSilenceId))
    expect(ids.size).toBe(100)
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  })
})
