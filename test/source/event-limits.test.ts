import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/config.js'
import { parseSize } from '../../src/size.js'
import { DEFAULT_EVENT_LIMITS, eventLimitProblem } from '../../src/source/event-limits.js'
import { isRfc3339 } from '../../src/source/rfc3339.js'
import { validateEvent } from '../../src/source/validate-event.js'
import { inputErrorOf } from '../helpers/input-error.js'

const base = {
  event_id: 'evt_1',
  event_type: 'device.low_battery',
  created_at: '2026-01-01T00:00:00.000Z',
  occurred_at: '2026-01-01T00:00:00.000Z',
}

/** An object nested `levels` deep below the event (the event itself is level 1). */
function nested(levels: number): Record<string, unknown> {
  let value: unknown = 1
  for (let i = 0; i < levels; i++) value = { a: value }
  return { ...base, meta: value }
}

describe('event limits', () => {
  it('measure depth with the event as level 1, objects and arrays alike', () => {
    const limits = { maxDepth: 3, maxBytes: 1e9 }
    expect(eventLimitProblem(nested(2), limits)).toBeUndefined()
    expect(eventLimitProblem(nested(3), limits)).toBe('nested deeper than limits.eventMaxDepth (3 levels)')
    expect(eventLimitProblem({ ...base, list: [[1]] }, limits)).toBeUndefined()
    expect(eventLimitProblem({ ...base, list: [[[1]]] }, limits)).toMatch(/nested deeper/)
  })

  it('walk without recursion: 1,000,000 levels cost no stack and stop at the limit', () => {
    const deep = JSON.parse(
      `{"event_id":"x","m":${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}}`,
    ) as unknown
    expect(eventLimitProblem(deep, DEFAULT_EVENT_LIMITS)).toBe(
      'nested deeper than limits.eventMaxDepth (32 levels)',
    )
  })

  it('measure the size as compact JSON text', () => {
    const event = { ...base, n: -12.5, ok: true, none: null, list: [1, 'ab', {}], meta: { k: [] } }
    const exact = JSON.stringify(event).length
    expect(eventLimitProblem(event, { maxDepth: 32, maxBytes: exact })).toBeUndefined()
    expect(eventLimitProblem(event, { maxDepth: 32, maxBytes: exact - 1 })).toBe(
      `larger than limits.eventMaxBytes (${exact - 1} B)`,
    )
  })

  it('reject an event over a limit like a malformed one, naming its id, before the schema', () => {
    expect(validateEvent(nested(40), 'api')).toEqual({
      rejected: {
        eventId: 'evt_1',
        origin: 'api',
        reason: '$: nested deeper than limits.eventMaxDepth (32 levels)',
      },
    })
    expect(validateEvent({ ...base, blob: 'x'.repeat(300_000) }, 'f.jsonl:3')).toEqual({
      rejected: {
        eventId: 'evt_1',
        origin: 'f.jsonl:3',
        reason: '$: larger than limits.eventMaxBytes (256 KiB)',
      },
    })
    expect('event' in validateEvent({ ...base, blob: 'x'.repeat(300_000) }, 'api', null)).toBe(true)
  })
})

describe('RFC 3339 timestamps', () => {
  it.each([
    '2026-01-01T00:00:00Z',
    '2026-01-01T00:00:00.123Z',
    '2026-12-31T23:59:59.123456789-08:00',
    '2024-02-29T12:00:00+05:30',
    '2026-01-01t00:00:00z',
  ])('accepts %s', (text) => {
    expect(isRfc3339(text)).toBe(true)
    expect(Number.isNaN(Date.parse(text))).toBe(false)
  })

  it.each([
    '1',
    'Tue Dec 01 2026',
    '2026-01-01',
    '2026-01-01T00:00:00',
    '2026-01-01 00:00:00Z',
    '2026-01-01T00:00Z',
    '2026-02-30T00:00:00Z',
    '2025-02-29T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-01-01T24:00:00Z',
    '2026-01-01T23:59:60Z',
    '2026-01-01T00:00:00.Z',
    '2026-01-01T00:00:00+0100',
    '2026-01-01T00:00:00+24:00',
    '+002026-01-01T00:00:00Z',
    '2026-01-01T00:00:00Zjunk',
  ])('refuses %j', (text) => {
    expect(isRfc3339(text)).toBe(false)
  })
})

describe('limits.* in the config', () => {
  it('has defaults and accepts bytes or a size with a unit', () => {
    expect(parseConfig({}, 'c.json', {}).limits).toMatchObject({
      eventMaxDepth: 32,
      eventMaxBytes: 262_144,
      occurredAtSkew: 300_000,
    })
    const set = parseConfig(
      { limits: { eventMaxDepth: 64, eventMaxBytes: '1MB', occurredAtSkew: '30s' } },
      'c.json',
      {},
    )
    expect(set.limits).toMatchObject({ eventMaxDepth: 64, eventMaxBytes: 1_048_576, occurredAtSkew: 30_000 })
    expect(parseConfig({ limits: { eventMaxBytes: 4096 } }, 'c.json', {}).limits.eventMaxBytes).toBe(4096)
    expect(parseSize('512KiB')).toBe(524_288)
  })

  it('rejects bad values naming the path', () => {
    const issues = (limits: unknown) => inputErrorOf(() => parseConfig({ limits }, 'c.json', {})).message
    expect(issues({ eventMaxDepth: 5000 })).toMatch(/^c\.json: \$\.limits\.eventMaxDepth: Too big/)
    expect(issues({ eventMaxBytes: '1 TB' })).toMatch(/^c\.json: \$\.limits\.eventMaxBytes: expected a size/)
    expect(issues({ eventMaxBytes: 0 })).toMatch(/\$\.limits\.eventMaxBytes: expected a size/)
    expect(issues({ occurredAtSkew: 5 })).toMatch(/\$\.limits\.occurredAtSkew/)
    expect(issues({ maxDepth: 5 })).toMatch(/\$\.limits: unknown field "maxDepth"/)
  })
})
