import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { inhibitedBy, inhibitions, type OpenIncident } from '../../src/noise/inhibit.js'
import type { Labels } from '../../src/noise/labels.js'
import { inhibitRuleSchema } from '../../src/rules/inhibit-schema.js'

const T0 = Date.parse('2026-03-01T09:00:00.000Z')
const MIN = 60_000

function incident(
  rule: string,
  labels: Record<string, string>,
  firedAt = T0,
  openUntil?: number,
): OpenIncident {
  return {
    key: `${rule}|${JSON.stringify(labels)}`,
    rule,
    labels: { rule, kind: 'fire', ...labels },
    firedAt,
    openUntil,
  }
}

const siteOffline = [{ rule: 'site-offline', equal: ['device_custom_metadata.site'] }]
const alert = (site?: string): { rule: string; labels: Labels } => ({
  rule: 'device-offline',
  labels:
    site === undefined
      ? { rule: 'device-offline' }
      : { rule: 'device-offline', 'device_custom_metadata.site': site },
})

describe('inhibition', () => {
  it('holds back an alert while an open incident of the source rule has the same value on every equal label', () => {
    const hq = incident('site-offline', { 'device_custom_metadata.site': 'hq' })
    expect(inhibitedBy(alert('hq'), siteOffline, [hq], T0 + MIN)).toEqual({
      incident: hq,
      entry: siteOffline[0],
    })
    expect(inhibitedBy(alert('lab'), siteOffline, [hq], T0 + MIN)).toBeUndefined()
    expect(inhibitedBy(alert(), siteOffline, [hq], T0 + MIN)).toBeUndefined()
  })

  it('counts a label absent on both sides as equal, as Alertmanager does', () => {
    const nowhere = incident('site-offline', {})
    expect(inhibitedBy(alert(), siteOffline, [nowhere], T0)).toBeDefined()
    expect(inhibitedBy(alert('hq'), siteOffline, [nowhere], T0)).toBeUndefined()
  })

  it('with no equal labels, any open incident of the source rule inhibits', () => {
    const entries = [{ rule: 'hub-down', equal: [] }]
    expect(
      inhibitedBy(alert('hq'), entries, [incident('hub-down', { device_id: 'hub_9' })], T0),
    ).toBeDefined()
    expect(inhibitedBy(alert('hq'), entries, [incident('other', {})], T0)).toBeUndefined()
    expect(inhibitedBy(alert('hq'), [], [incident('hub-down', {})], T0)).toBeUndefined()
  })

  it('stops at openUntil for a rule without resolve (fired within its throttle)', () => {
    const hq = incident('site-offline', { 'device_custom_metadata.site': 'hq' }, T0, T0 + 10 * MIN)
    expect(inhibitedBy(alert('hq'), siteOffline, [hq], T0 + 10 * MIN - 1)).toBeDefined()
    expect(inhibitedBy(alert('hq'), siteOffline, [hq], T0 + 10 * MIN)).toBeUndefined()
  })

  it('never lets a rule inhibit itself', () => {
    const self = [{ rule: 'device-offline', equal: ['device_custom_metadata.site'] }]
    expect(
      inhibitedBy(
        alert('hq'),
        self,
        [incident('device-offline', { 'device_custom_metadata.site': 'hq' })],
        T0,
      ),
    ).toBeUndefined()
  })

  it('reports the oldest inhibiting incident, whatever order incidents and entries come in (property)', () => {
    const entries = [
      { rule: 'site-offline', equal: ['device_custom_metadata.site'] },
      { rule: 'hub-down', equal: [] },
    ]
    const anIncident = fc
      .record({
        rule: fc.constantFrom('site-offline', 'hub-down', 'other', 'device-offline'),
        site: fc.constantFrom('hq', 'lab', undefined),
        firedAt: fc.integer({ min: 0, max: 5 }),
        id: fc.nat(3),
      })
      .map(({ rule, site, firedAt, id }) =>
        incident(
          rule,
          site ? { 'device_custom_metadata.site': site, id: `${id}` } : { id: `${id}` },
          T0 + firedAt * MIN,
        ),
      )
    fc.assert(
      fc.property(fc.array(anIncident, { maxLength: 8 }), fc.constantFrom('hq', 'lab'), (open, site) => {
        const forward = inhibitions(alert(site), entries, open, T0 + 10 * MIN)
        const backward = inhibitions(alert(site), [...entries].reverse(), [...open].reverse(), T0 + 10 * MIN)
        expect(backward.map((i) => i.incident)).toEqual(forward.map((i) => i.incident))
        const expected = open.filter(
          (i) =>
            i.rule === 'hub-down' ||
            (i.rule === 'site-offline' && i.labels['device_custom_metadata.site'] === site),
        )
        expect(new Set(forward.map((i) => i.incident))).toEqual(new Set(expected))
        const oldest = Math.min(...expected.map((i) => i.firedAt))
        expect(inhibitedBy(alert(site), entries, open, T0 + 10 * MIN)?.incident.firedAt).toBe(
          expected.length ? oldest : undefined,
        )
      }),
    )
  })
})

describe('the inhibitedBy entry schema', () => {
  it('defaults equal to [] and rejects unknown fields', () => {
    expect(inhibitRuleSchema.parse({ rule: 'site-offline' })).toEqual({ rule: 'site-offline', equal: [] })
    expect(inhibitRuleSchema.safeParse({ rule: 'x', equals: ['a'] }).success).toBe(false)
    expect(inhibitRuleSchema.safeParse({ rule: '', equal: [] }).success).toBe(false)
  })
})
