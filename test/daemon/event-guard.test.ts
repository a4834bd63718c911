import { describe, expect, it } from 'vitest'
import { manualClock } from '../../src/clock.js'
import { type CycleDeps, runCycle } from '../../src/daemon/cycle.js'
import { DaemonMetrics } from '../../src/daemon/metrics.js'
import { silentLogger } from '../../src/log.js'
import { Evaluator } from '../../src/rules/evaluator.js'
import { RuleSet } from '../../src/rules/rule-set.js'
import type { SeamEvent } from '../../src/source/event.js'
import type { EventBatch } from '../../src/source/event-source.js'
import { MemoryStore } from '../../src/state/memory-store.js'
import { appendSkipped } from '../../src/state/skipped-events.js'
import { StateHolder } from '../../src/state/state-holder.js'
import { emptyState } from '../../src/state/state-schema.js'
import { captureLogger } from '../helpers/fixtures.js'
import { rule } from '../rules/helpers.js'

/**
 * Issue 17 item 2, second half: whatever one event does while it is evaluated or recorded, it is contained to that
 * event. Driven through the daemon's poll cycle with the real evaluator, rules, outbox and state holder; the events
 * are handed over as the source would (validation is bypassed on purpose: this is the net under the limits).
 */

const T0 = Date.parse('2026-03-01T08:00:00.000Z')
const iso = (ms: number) => new Date(ms).toISOString()
/** Far deeper than JSON.stringify can go: grouping on it, or queueing an alert that holds it, throws RangeError. */
const DEEP = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`) as unknown

const ev = (id: string, type: string, at: number, fields: Record<string, unknown> = {}): SeamEvent => ({
  event_id: id,
  event_type: type,
  created_at: iso(at),
  occurred_at: iso(at),
  ...fields,
})

const RULES = RuleSet.from([
  // Listed first: it fires (and sets its throttle) before the next rule throws on the same event.
  rule({
    id: 'denied',
    eventTypes: ['lock.access_denied'],
    groupBy: ['device_id'],
    throttle: '1h',
    actions: [{ type: 'console' }],
  }),
  rule({
    id: 'denied-by-metadata',
    eventTypes: ['lock.access_denied'],
    groupBy: ['device_custom_metadata'],
    actions: [{ type: 'console' }],
  }),
  rule({
    id: 'tampered',
    eventTypes: ['device.tampered'],
    groupBy: ['device_id'],
    throttle: '1h',
    actions: [{ type: 'console' }],
  }),
])

async function cycleWith(events: SeamEvent[]) {
  const state = await StateHolder.open(new MemoryStore(), { initial: emptyState, logger: silentLogger })
  const metrics = new DaemonMetrics({ defaultMetrics: false })
  const log = captureLogger()
  const batch: EventBatch = {
    events,
    rejected: [
      { eventId: 'evt_invalid', origin: 'api', reason: '$.created_at: expected an RFC 3339 timestamp' },
    ],
    checkpoint: { cursor: iso(T0 + 60_000), seen: {} },
    caughtUp: true,
  }
  const evaluator = new Evaluator(RULES)
  const deps: CycleDeps = {
    source: { fetch: async () => batch },
    evaluator: () => evaluator,
    state,
    rule: (id) => RULES.get(id),
    actionsFor: (r) => r.actions,
    clock: manualClock(T0 + 60_000),
    logger: log.logger,
    metrics,
    absenceLatenessMs: 60_000,
    onQueued: () => {},
    signal: new AbortController().signal,
  }
  const result = await runCycle(deps)
  const current = state.current()
  return {
    result,
    current,
    queued: current.outbox.map(
      (item) => `${item.decision.rule} ${item.decision.event_id} +${item.decision.suppressed}`,
    ),
    failedCount: (await metrics.eventsFailed.get()).values[0]?.value,
    log,
  }
}

describe('an event whose evaluation or recording throws', () => {
  it('is skipped with every effect undone (a throttle another rule set for it), and the batch and cursor go on', async () => {
    const { result, current, queued, failedCount, log } = await cycleWith([
      ev('evt_before', 'lock.access_denied', T0, { device_id: 'd0', device_custom_metadata: 'x' }),
      ev('evt_poison', 'lock.access_denied', T0 + 1000, { device_id: 'd1', device_custom_metadata: DEEP }),
      ev('evt_after', 'lock.access_denied', T0 + 2000, { device_id: 'd1', device_custom_metadata: 'y' }),
    ])
    expect(result).toMatchObject({ events: 3, decisions: 4, queued: 4 })
    expect(queued).toEqual([
      'denied evt_before +0',
      'denied-by-metadata evt_before +0',
      // Not suppressed: the poison event's fire of `denied` (its throttle) was undone with it.
      'denied evt_after +0',
      'denied-by-metadata evt_after +0',
    ])
    expect(current.rules.throttles.denied?.['["d1"]']).toEqual({ lastFireAt: T0 + 2000, suppressed: 0 })
    expect(current.source.cursor).toBe(iso(T0 + 60_000))
    expect(current.skippedEvents).toEqual([
      {
        at: T0 + 60_000,
        stage: 'rejected',
        eventId: 'evt_invalid',
        origin: 'api',
        reason: expect.any(String),
      },
      {
        at: T0 + 60_000,
        stage: 'failed',
        eventId: 'evt_poison',
        eventType: 'lock.access_denied',
        origin: 'api',
        reason: 'evaluating it threw: Maximum call stack size exceeded',
      },
    ])
    expect(failedCount).toBe(1)
    expect(log.lines.find((l) => l.event_id === 'evt_poison')).toMatchObject({ level: 50, stage: 'evaluate' })
  })

  it('is skipped when its alert cannot be queued, and its rule effects are undone too', async () => {
    const { current, queued, failedCount } = await cycleWith([
      ev('evt_before', 'device.tampered', T0, { device_id: 'd2' }),
      // Stored events are bounded (a deep field is trimmed, not a failure), so the poison here is a value the
      // outbox's JSON copy cannot hold at all: this cycle bypasses the source's validation.
      ev('evt_poison', 'device.tampered', T0 + 1000, { device_id: 'd3', reading: 10n }),
      ev('evt_after', 'device.tampered', T0 + 2000, { device_id: 'd3' }),
    ])
    expect(queued).toEqual(['tampered evt_before +0', 'tampered evt_after +0'])
    expect(current.rules.throttles.tampered?.['["d3"]']).toEqual({ lastFireAt: T0 + 2000, suppressed: 0 })
    expect(current.skippedEvents?.at(-1)).toMatchObject({
      stage: 'failed',
      eventId: 'evt_poison',
      reason: expect.stringMatching(/^recording it threw: .*BigInt/),
    })
    expect(failedCount).toBe(1)
  })

  it('keeps the skipped list bounded to the most recent 100', () => {
    let list = emptyState().skippedEvents ?? []
    for (let i = 0; i < 150; i++)
      list = appendSkipped(list, [{ at: i, stage: 'rejected', eventId: `e${i}`, origin: 'api', reason: 'r' }])
    expect(list).toHaveLength(100)
    expect(list[0]?.eventId).toBe('e50')
    expect(list[99]?.eventId).toBe('e149')
    expect(
      appendSkipped(
        [],
        [{ at: 0, stage: 'failed', eventId: 'x'.repeat(5000), origin: 'api', reason: 'r' }],
      )[0]?.eventId,
    ).toHaveLength(200)
  })
})
