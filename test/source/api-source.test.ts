import { randomUUID } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { manualClock } from '../../src/clock.js'
import { emptyCheckpoint } from '../../src/source/event-source.js'
import { at, MIN, T0 } from '../helpers/fixtures.js'
import { type StrictEmulator, startStrictEmulator } from '../helpers/strict-emulator.js'
import { drain, expectStrictlyOrdered, makeSource } from './support.js'

let emulator: StrictEmulator | undefined
afterEach(async () => {
  await emulator?.close()
  emulator = undefined
})

async function setup() {
  const clock = manualClock(T0)
  emulator = await startStrictEmulator({ clock: clock.now })
  return { clock, emulator }
}

describe('ApiEventSource against the strict emulator', () => {
  it('delivers a burst of 2,000 events between two polls exactly once, in order, paging 500 at a time', async () => {
    const { clock, emulator } = await setup()
    const { source } = makeSource({ ...emulator, clock })
    const first = await source.fetch(emptyCheckpoint())
    expect(first.events).toEqual([])
    expect(first.checkpoint.cursor).toBe(at(T0))
    // Random ids and shared timestamps: order must come from sorting by (created_at, event_id), not arrival.
    const added = emulator.addEvents(
      Array.from({ length: 2000 }, (_, i) => ({
        event_id: randomUUID(),
        created_at: at(T0 + 1 + Math.floor(i / 3) * 10),
      })),
    )
    clock.advance(30_000)
    const before = emulator.requests
    const batch = await source.fetch(first.checkpoint)
    expect(batch.events).toHaveLength(2000)
    expectStrictlyOrdered(batch.events)
    expect(new Set(batch.events.map((e) => e.event_id))).toEqual(new Set(added.map((e) => e.event_id)))
    expect(emulator.requests - before).toBe(5) // 4 full pages + 1 short
    expect(emulator.requestBodies.every((b) => b.limit === 500)).toBe(true)
    expect(batch.caughtUp).toBe(true)
    expect(batch.checkpoint.cursor).toBe(at(T0 + 30_000))
    expect(Object.keys(batch.checkpoint.seen)).toHaveLength(2000)

    // The next poll re-reads the lookback (all 2,000 again) and hands on nothing twice.
    clock.advance(30_000)
    const fresh = emulator.addEvent({ created_at: at(T0 + 45_000) })
    const next = await source.fetch(batch.checkpoint)
    expect(next.events.map((e) => e.event_id)).toEqual([fresh.event_id])
  })

  it('never mutates the checkpoint it is given and prunes seen ids older than the lookback', async () => {
    const { clock, emulator } = await setup()
    const { source } = makeSource({ ...emulator, clock })
    const start = { cursor: at(T0), seen: { old_evt: T0 - 10 * MIN, recent_evt: T0 - MIN }, floor: null }
    const snapshot = structuredClone(start)
    emulator.addEvent({ event_id: 'recent_evt', created_at: at(T0 - MIN) })
    const e = emulator.addEvent({ created_at: at(T0 + 1000) })
    clock.advance(MIN)
    const batch = await source.fetch(start)
    expect(start).toEqual(snapshot)
    expect(batch.events.map((x) => x.event_id)).toEqual([e.event_id])
    expect(batch.checkpoint.seen).toEqual({ recent_evt: T0 - MIN, [e.event_id]: T0 + 1000 })
  })

  it('picks up late-visible events inside the lookback, once', async () => {
    const { clock, emulator } = await setup()
    const { source } = makeSource({ ...emulator, clock })
    let checkpoint = (await source.fetch(emptyCheckpoint())).checkpoint
    const onTime = emulator.addEvent({ created_at: at(T0 + 5_000) })
    const late = emulator.addEvent({ created_at: at(T0 + 10_000), visibleAt: T0 + 40_000 })
    const veryLate = emulator.addEvent({ created_at: at(T0 + 20_000), visibleAt: T0 + 3 * MIN })
    const seen: string[] = []
    for (const step of [30_000, 30_000, 60_000, 60_000]) {
      clock.advance(step)
      const batch = await source.fetch(checkpoint)
      seen.push(...batch.events.map((e) => e.event_id))
      checkpoint = batch.checkpoint
    }
    expect(seen).toEqual([onTime.event_id, late.event_id, veryLate.event_id])
  })

  it('keeps every event when new ones appear mid-paging and shift the offsets', async () => {
    const { clock, emulator } = await setup()
    let pages = 0
    const inserted: string[] = []
    const shiftingFetch: typeof fetch = async (input, init) => {
      pages += 1
      // Between page 2 and 3, three events appear at the newest end of the window: older events slide down.
      if (pages === 3)
        for (let i = 0; i < 3; i++)
          inserted.push(emulator.addEvent({ created_at: at(T0 + 29_000 + i) }).event_id)
      return fetch(input, init)
    }
    const { source } = makeSource({ ...emulator, clock, fetch: shiftingFetch })
    const checkpoint = (await source.fetch(emptyCheckpoint())).checkpoint
    pages = 0
    const original = emulator.addEvents(
      Array.from({ length: 1200 }, (_, i) => ({ created_at: at(T0 + 1 + i) })),
    )
    clock.advance(30_000)
    const first = await source.fetch(checkpoint)
    expect(first.events.length).toBeGreaterThanOrEqual(1200)
    clock.advance(30_000)
    const second = await source.fetch(first.checkpoint)
    const all = [...first.events, ...second.events]
    expectStrictlyOrdered(first.events)
    expect(all.map((e) => e.event_id).sort()).toEqual(
      [...original.map((e) => e.event_id), ...inserted].sort(),
    )
  })

  it('hands on nothing twice across a restart with the persisted checkpoint', async () => {
    const { clock, emulator } = await setup()
    const one = makeSource({ ...emulator, clock }).source
    let checkpoint = (await one.fetch(emptyCheckpoint())).checkpoint
    const a = emulator.addEvents(
      Array.from({ length: 700 }, (_, i) => ({ created_at: at(T0 + 100 + i * 10) })),
    )
    clock.advance(MIN)
    const got = (await drain(one, checkpoint)).events
    checkpoint = JSON.parse(JSON.stringify((await one.fetch(checkpoint)).checkpoint))
    // "Restart": a brand new source (and client) resumes from what was persisted.
    const b = emulator.addEvents(
      Array.from({ length: 20 }, (_, i) => ({ created_at: at(T0 + MIN + 1000 + i) })),
    )
    clock.advance(MIN)
    const two = makeSource({ ...emulator, clock }).source
    const after = await drain(two, checkpoint)
    expect(got.map((e) => e.event_id)).toEqual(a.map((e) => e.event_id))
    expect(after.events.map((e) => e.event_id)).toEqual(b.map((e) => e.event_id))
  })

  it('starts from an ISO startFrom and never reads before it (the floor)', async () => {
    const { clock, emulator } = await setup()
    emulator.addEvent({ created_at: at(T0 - 2 * MIN) })
    const inside = emulator.addEvent({ created_at: at(T0 - MIN) })
    const { source } = makeSource({ ...emulator, clock, startFrom: at(T0 - 90_000) })
    const first = await drain(source, emptyCheckpoint())
    expect(first.events.map((e) => e.event_id)).toEqual([inside.event_id])
    expect(first.checkpoint.floor).toBe(at(T0 - 90_000))
    clock.advance(MIN)
    await source.fetch(first.checkpoint)
    const between = emulator.requestBodies.at(-1)!.between as string[]
    expect(Date.parse(between[0]!)).toBeGreaterThanOrEqual(T0 - 90_000 - 1)
  })

  it('walks a multi-day backlog in bounded slices, including a dense burst', async () => {
    const { clock, emulator } = await setup()
    const from = T0 - 3 * 24 * 60 * MIN
    emulator.generate({ count: 24_000, from, to: T0 - 60 * MIN })
    emulator.generate({ count: 6_000, from: T0 - 30 * MIN, to: T0 - 29 * MIN })
    const bound = 3000
    const { source } = makeSource({ ...emulator, clock, startFrom: at(from), maxSliceEvents: bound })
    const sizes: number[] = []
    const caught: boolean[] = []
    const result = await drain(source, emptyCheckpoint(), (batch) => {
      sizes.push(batch.events.length)
      caught.push(batch.caughtUp)
    })
    expect(result.events).toHaveLength(30_000)
    expectStrictlyOrdered(result.events)
    expect(Math.max(...sizes)).toBeLessThanOrEqual(bound)
    expect(sizes.length).toBeGreaterThan(10)
    expect(caught.slice(0, -1).every((c) => c === false)).toBe(true)
    expect(source.stats.abandoned).toBeGreaterThan(0)
    expect(result.checkpoint.cursor).toBe(at(T0))
  })

  it('skips, logs and counts malformed events without stopping the batch, and does not re-report them', async () => {
    const { clock, emulator } = await setup()
    const { source } = makeSource({ ...emulator, clock })
    let checkpoint = (await source.fetch(emptyCheckpoint())).checkpoint
    const good1 = emulator.addEvent({ created_at: at(T0 + 1000) })
    emulator.addEvent({ event_id: 'bad_occurred', created_at: at(T0 + 2000), occurred_at: undefined })
    emulator.addEvent({ event_id: 'bad_created', created_at: 'yesterday', sortAt: T0 + 3000 })
    emulator.addEvent({ event_id: undefined, created_at: at(T0 + 4000) })
    const unknownType = emulator.addEvent({
      event_type: 'brand_new.type',
      created_at: at(T0 + 5000),
      extra: { a: 1 },
    })
    clock.advance(30_000)
    const batch = await source.fetch(checkpoint)
    expect(batch.events.map((e) => e.event_id)).toEqual([good1.event_id, unknownType.event_id])
    expect(batch.events[1]).toEqual(unknownType)
    const reasons = new Map(batch.rejected.map((r) => [r.eventId, r.reason]))
    expect([...reasons.keys()]).toHaveLength(3)
    expect(reasons.get('bad_occurred')).toContain('$.occurred_at')
    expect(reasons.get('bad_created')).toContain('$.created_at')
    expect(reasons.get(undefined)).toContain('$.event_id')
    expect(batch.rejected.every((r) => r.origin === 'api')).toBe(true)
    expect(source.stats.rejected).toBe(3)
    checkpoint = batch.checkpoint
    clock.advance(30_000)
    const again = await source.fetch(checkpoint)
    expect(again.events).toEqual([])
    expect(again.rejected.map((r) => r.eventId)).toEqual([undefined]) // only the id-less one can come back
  })

  it('sends event_types when set and reads every type when cleared', async () => {
    const { clock, emulator } = await setup()
    const { source } = makeSource({ ...emulator, clock, eventTypes: ['lock.unlocked', 'lock.locked'] })
    const checkpoint = (await source.fetch(emptyCheckpoint())).checkpoint
    const unlocked = emulator.addEvent({ created_at: at(T0 + 1000) })
    const other = emulator.addEvent({ created_at: at(T0 + 2000), event_type: 'device.disconnected' })
    clock.advance(30_000)
    const batch = await source.fetch(checkpoint)
    expect(emulator.requestBodies.at(-1)!.event_types).toEqual(['lock.locked', 'lock.unlocked'])
    expect(batch.events.map((e) => e.event_id)).toEqual([unlocked.event_id])
    source.setEventTypes(null)
    const all = await source.fetch(checkpoint)
    expect(emulator.requestBodies.at(-1)).not.toHaveProperty('event_types')
    expect(all.events.map((e) => e.event_id)).toEqual([unlocked.event_id, other.event_id])
  })
})
