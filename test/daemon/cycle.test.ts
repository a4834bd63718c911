import { describe, expect, it } from 'vitest'
import { manualClock } from '../../src/clock.js'
import { type CycleDeps, fireDueTimers, runCycle } from '../../src/daemon/cycle.js'
import { runHousekeeping } from '../../src/daemon/housekeeping.js'
import { DaemonMetrics } from '../../src/daemon/metrics.js'
import { silentLogger } from '../../src/log.js'
import type { Decision } from '../../src/rules/decision.js'
import type { RuleState } from '../../src/rules/rule-state.js'
import type { SeamEvent } from '../../src/source/event.js'
import type { EventBatch, SourceCheckpoint } from '../../src/source/event-source.js'
import { MemoryStore } from '../../src/state/memory-store.js'
import { StateHolder } from '../../src/state/state-holder.js'
import { emptyState } from '../../src/state/state-schema.js'
import { at as iso, T0_DAEMON as T0 } from '../helpers/fixtures.js'

function event(id: string, at: number, type = 'lock.access_denied'): SeamEvent {
  return { event_id: id, event_type: type, created_at: iso(at), occurred_at: iso(at), device_id: 'dev-1' }
}

/** Fires on every event; counts evaluations in the rule state (so we can see whether it was adopted). */
const evaluator = {
  evaluate(state: RuleState, e: SeamEvent): Decision[] {
    state.clock = Date.parse(e.occurred_at)
    const rule = e.event_type === 'device.low_battery' ? 'battery-digest' : 'denied'
    return [
      {
        rule,
        kind: 'fire',
        group: { device_id: 'dev-1' },
        event_id: e.event_id,
        at: e.occurred_at,
        count: 1,
        suppressed: 0,
        event: e,
      },
    ]
  },
  fireDue(state: RuleState, until: number): Decision[] {
    const timer = state.timers.absent?.g
    if (!timer || timer.deadline > until) return []
    delete state.timers.absent
    const e = timer.event as SeamEvent
    return [
      {
        rule: 'absent',
        kind: 'fire',
        group: {},
        event_id: e.event_id,
        at: iso(timer.deadline),
        count: 1,
        suppressed: 0,
        event: e,
      },
    ]
  },
}

const RULES = {
  denied: { id: 'denied', actions: [{ type: 'slack' as const, channel: '#security' }] },
  absent: { id: 'absent', actions: [{ type: 'console' as const }] },
  'battery-digest': {
    id: 'battery-digest',
    actions: [{ type: 'console' as const }],
    digest: { cron: '0 8 * * *' },
  },
}

async function setup(batches: EventBatch[]) {
  const store = new MemoryStore()
  const state = await StateHolder.open(store, { initial: emptyState, logger: silentLogger })
  const clock = manualClock(T0)
  const fetched: SourceCheckpoint[] = []
  let kicked = 0
  const deps: CycleDeps = {
    source: {
      fetch: async (checkpoint) => {
        fetched.push(checkpoint)
        const next = batches.shift()
        if (!next) throw new Error('no more batches')
        return next
      },
    },
    evaluator: () => evaluator,
    state,
    rule: (id) => RULES[id as keyof typeof RULES],
    actionsFor: (rule) => rule.actions,
    clock,
    logger: silentLogger,
    metrics: new DaemonMetrics({ defaultMetrics: false }),
    absenceLatenessMs: 60_000,
    onQueued: () => kicked++,
    signal: new AbortController().signal,
  }
  return { store, state, clock, deps, fetched, kicked: () => kicked }
}

const batch = (events: SeamEvent[], cursor: number, caughtUp: boolean): EventBatch => ({
  events,
  rejected: [],
  checkpoint: {
    cursor: iso(cursor),
    seen: Object.fromEntries(events.map((e) => [e.event_id, Date.parse(e.created_at)])),
  },
  caughtUp,
})

describe('poll cycle', () => {
  it('catches up batch after batch, persisting cursor, rule state, outbox and digest fires together', async () => {
    const { state, deps, fetched, kicked } = await setup([
      batch([event('e1', T0 - 5000)], T0 - 4000, false),
      batch([event('e2', T0 - 3000), event('b1', T0 - 2500, 'device.low_battery')], T0 - 1000, true),
    ])
    const result = await runCycle(deps)
    expect(result).toMatchObject({ batches: 2, events: 3, decisions: 3, queued: 2 })
    expect(fetched.map((c) => c.cursor)).toEqual([null, iso(T0 - 4000)])
    const current = state.current()
    expect(current.source.cursor).toBe(iso(T0 - 1000))
    expect(current.rules.clock).toBe(T0 - 2500)
    expect(current.outbox.map((i) => i.id)).toEqual(['denied:fire:e1:0', 'denied:fire:e2:0'])
    expect(Object.values(current.digests['battery-digest'] ?? {})).toEqual([
      expect.objectContaining({ count: 1, eventIds: ['b1'] }),
    ])
    expect(kicked()).toBe(2)
  })

  it('leaves the durable state (cursor, rule state, outbox) untouched when the save fails', async () => {
    const { store, state, deps } = await setup([batch([event('e1', T0 - 5000)], T0 - 4000, true)])
    store.failWith = 'ENOSPC'
    await expect(runCycle(deps)).rejects.toThrow(/ENOSPC/)
    const current = state.current()
    expect(current.source.cursor).toBeNull()
    expect(current.rules.clock).toBe(0)
    expect(current.outbox).toEqual([])
  })

  it('fires absence timers only past the lateness allowance and never past the cursor', async () => {
    const { state, deps, clock } = await setup([])
    await state.update((draft) => {
      draft.source.cursor = iso(T0)
      draft.rules.timers.absent = {
        g: {
          event_id: 'd1',
          group: {},
          openedAt: T0 - 600_000,
          deadline: T0 - 30_000,
          event: event('d1', T0 - 600_000),
        },
      }
    })
    expect(await fireDueTimers(deps)).toBe(0) // deadline + 1m lateness not reached yet
    clock.set(T0 + 120_000)
    expect(await fireDueTimers(deps)).toBe(0) // cursor (T0) - lateness is still before the deadline
    await state.update((draft) => {
      draft.source.cursor = iso(T0 + 110_000)
    })
    expect(await fireDueTimers(deps)).toBe(1)
    expect(state.current().outbox.map((i) => i.id)).toEqual(['absent:fire:d1:0'])
    expect(state.current().rules.timers).toEqual({})
  })
})

describe('poll cycle memory paths', () => {
  it('awaits an evaluator that needs the engine for some events, in event order, inside the one update', async () => {
    const { store, state, deps } = await setup([
      batch([event('e1', T0 - 5000), event('e2', T0 - 4500), event('e3', T0 - 4000)], T0 - 3000, true),
    ])
    const saves = store.saves
    deps.evaluator = () => ({
      ...evaluator,
      evaluate: (rules: RuleState, e: SeamEvent) =>
        e.event_id === 'e2'
          ? new Promise<Decision[]>((resolve) => setTimeout(() => resolve(evaluator.evaluate(rules, e)), 5))
          : evaluator.evaluate(rules, e),
    })
    const result = await runCycle(deps)
    expect(result).toMatchObject({ batches: 1, events: 3, decisions: 3, queued: 3 })
    expect(store.saves).toBe(saves + 1)
    expect(state.current().outbox.map((i) => i.id)).toEqual([
      'denied:fire:e1:0',
      'denied:fire:e2:0',
      'denied:fire:e3:0',
    ])
    expect(state.current().rules.clock).toBe(T0 - 4000)
  })

  it('keeps rule state another loop writes while the batch is being evaluated', async () => {
    const { state, deps } = await setup([
      batch([event('e1', T0 - 5000), event('e2', T0 - 4000)], T0 - 3000, true),
    ])
    let other: Promise<unknown> | undefined
    deps.evaluator = () => ({
      ...evaluator,
      evaluate: async (rules: RuleState, e: SeamEvent) => {
        // e.g. a timer or digest update from another loop arriving mid-batch
        if (e.event_id === 'e1')
          other = state.update((draft) => {
            draft.rules.throttles.other = { g: { lastFireAt: T0, suppressed: 2 } }
          })
        await new Promise((resolve) => setTimeout(resolve, 5))
        return evaluator.evaluate(rules, e)
      },
    })
    await runCycle(deps)
    await other
    const current = state.current()
    expect(current.rules.throttles.other).toEqual({ g: { lastFireAt: T0, suppressed: 2 } })
    expect(current.rules.clock).toBe(T0 - 4000)
    expect(current.source.cursor).toBe(iso(T0 - 3000))
    expect(current.outbox.map((i) => i.id)).toEqual(['denied:fire:e1:0', 'denied:fire:e2:0'])
  })

  it('does not write the state when no absence timer is due', async () => {
    const { store, state, deps, clock } = await setup([])
    await state.update((draft) => {
      draft.source.cursor = iso(T0 + 600_000)
      draft.rules.timers.absent = {
        g: { event_id: 'd1', group: {}, openedAt: T0, deadline: T0 + 300_000, event: event('d1', T0) },
      }
    })
    const saves = store.saves
    clock.set(T0 + 200_000)
    expect(await fireDueTimers(deps)).toBe(0)
    expect(store.saves).toBe(saves)
    clock.set(T0 + 400_000)
    expect(await fireDueTimers(deps)).toBe(1)
    expect(store.saves).toBe(saves + 1)
  })
})

describe('housekeeping', () => {
  it('prunes and re-queues dead letters when configured', async () => {
    const { state, clock } = await setup([])
    const item = {
      id: 'denied:fire:e1:0',
      decision: {
        rule: 'denied',
        kind: 'fire' as const,
        group: {},
        event_id: 'e1',
        at: iso(T0),
        count: 1,
        suppressed: 0,
        event: {},
      },
      action: { type: 'console' },
      actionRef: 'rule:denied#0',
      target: 'console',
      createdAt: T0,
      attempts: 8,
      nextAttemptAt: T0,
    }
    await state.update((draft) => {
      draft.deadLetters.push({ ...item, deadAt: T0, reason: 'gave up' })
      draft.sent.push({ id: 'old', target: 'console', sentAt: T0 - 30 * 86_400_000 })
    })
    let kicked = 0
    const config = {
      retention: {
        sent: 7 * 86_400_000,
        sentMax: 100,
        deadLetters: 30 * 86_400_000,
        deadLettersMax: 100,
        deviceNames: 86_400_000,
        history: 30 * 86_400_000,
        historyMax: 100,
        silences: 7 * 86_400_000,
      },
      housekeeping: { cron: '* * * * *', retryDeadLetters: true },
    }
    await runHousekeeping({ state, clock, logger: silentLogger, config, onQueued: () => kicked++ })
    expect(state.current().sent).toEqual([])
    expect(state.current().deadLetters).toEqual([])
    expect(state.current().outbox).toEqual([expect.objectContaining({ id: item.id, attempts: 0 })])
    expect(kicked).toBe(1)
  })
})
