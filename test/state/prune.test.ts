import { describe, expect, it } from 'vitest'
import type { Config } from '../../src/config.js'
import { incidentKey } from '../../src/rules/decision.js'
import { pruneState } from '../../src/state/prune.js'
import { type DeadLetter, emptyState, type OutboxItem } from '../../src/state/state-schema.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR
const retention: Config['retention'] = {
  sent: 7 * DAY,
  sentMax: 5,
  deadLetters: 30 * DAY,
  deadLettersMax: 3,
  deviceNames: DAY,
  history: 30 * DAY,
  historyMax: 4,
  silences: 7 * DAY,
}
const now = Date.UTC(2026, 5, 1)

const outboxItem = (rule: string, group: Record<string, unknown>, id: string): OutboxItem => ({
  id,
  decision: { rule, kind: 'resolve', group, event_id: id, at: '', count: 1, suppressed: 0, event: {} },
  action: { type: 'slack' },
  actionRef: `rule:${rule}#0`,
  target: 'slack:#ops',
  createdAt: now,
  attempts: 0,
  nextAttemptAt: 0,
})
const dead = (id: string, deadAt: number): DeadLetter => ({
  ...outboxItem('r', {}, id),
  deadAt,
  reason: 'channel_not_found',
})

describe('pruneState', () => {
  it('bounds sent records by age, then keeps the newest sentMax, in order', () => {
    const state = emptyState()
    const ages = [8 * DAY, 6 * DAY, 5 * DAY, 4 * DAY, 3 * DAY, 2 * DAY, DAY, HOUR]
    state.sent = ages.map((age, i) => ({ id: `s${i}`, target: 't', sentAt: now - age }))
    pruneState(state, { now, retention })
    expect(state.sent.map((s) => s.id)).toEqual(['s3', 's4', 's5', 's6', 's7'])
    // Exactly at the age limit is kept.
    state.sent = [{ id: 'edge', target: 't', sentAt: now - 7 * DAY }]
    pruneState(state, { now, retention })
    expect(state.sent.map((s) => s.id)).toEqual(['edge'])
  })

  it('bounds dead letters by age and count, keeping the newest even when out of order', () => {
    const state = emptyState()
    state.deadLetters = [
      dead('old', now - 31 * DAY),
      dead('d1', now - 5 * DAY),
      dead('d2', now - DAY),
      dead('d3', now - 10 * DAY),
      dead('d4', now - HOUR),
    ]
    pruneState(state, { now, retention })
    expect(state.deadLetters.map((d) => d.id)).toEqual(['d1', 'd2', 'd4'])
  })

  it('drops device names older than retention.deviceNames', () => {
    const state = emptyState()
    state.devices = {
      fresh: { name: 'Front door', fetchedAt: now - HOUR },
      stale: { name: 'Back door', fetchedAt: now - 2 * DAY },
    }
    pruneState(state, { now, retention })
    expect(Object.keys(state.devices)).toEqual(['fresh'])
  })

  it('drops threads of closed incidents once older than retention.sent; keeps open and still-needed ones', () => {
    const state = emptyState()
    const group = { device_id: 'd1' }
    const old = now - 8 * DAY
    const thread = (firedAt: number) => ({
      slack: { 'slack:#ops': { channel: 'C1', ts: '1.2' } },
      email: {},
      firedAt,
    })
    state.rules.incidents = { open: { [JSON.stringify(group)]: { firedAt: old, event_id: 'e1' } } }
    state.threads = {
      [incidentKey('open', group)]: thread(old),
      [incidentKey('closed-old', group)]: thread(old),
      [incidentKey('closed-recent', group)]: thread(now - DAY),
      [incidentKey('closed-pending', group)]: thread(old),
    }
    state.outbox = [outboxItem('closed-pending', group, 'resolve-1')]
    pruneState(state, { now, retention })
    expect(Object.keys(state.threads).sort()).toEqual(
      [
        incidentKey('closed-pending', group),
        incidentKey('closed-recent', group),
        incidentKey('open', group),
      ].sort(),
    )
  })

  it('keeps nothing when the max is 0', () => {
    const state = emptyState()
    state.sent = [{ id: 's', target: 't', sentAt: now }]
    pruneState(state, { now, retention: { ...retention, sentMax: 0 } })
    expect(state.sent).toEqual([])
  })
})
