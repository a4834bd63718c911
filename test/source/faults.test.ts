import { afterEach, describe, expect, it } from 'vitest'
import { manualClock } from '../../src/clock.js'
import { SeamAlertsError } from '../../src/errors.js'
import { SourceUnavailableError } from '../../src/source/errors.js'
import { emptyCheckpoint, type SourceCheckpoint } from '../../src/source/event-source.js'
import { at, captureLogger, T0 } from '../helpers/fixtures.js'
import { type Fault, type StrictEmulator, startStrictEmulator } from '../helpers/strict-emulator.js'
import { makeSource } from './support.js'

let emulator: StrictEmulator | undefined
afterEach(async () => {
  await emulator?.close()
  emulator = undefined
})

/** A source whose cursor is at T0 with three events waiting, 30 s later. */
async function waiting(extra: Parameters<typeof makeSource>[0] extends infer O ? Partial<O> : never = {}) {
  const clock = manualClock(T0)
  emulator = await startStrictEmulator({ clock: clock.now })
  const log = captureLogger()
  const made = makeSource({ ...emulator, clock, logger: log.logger, ...extra })
  const checkpoint: SourceCheckpoint = { cursor: at(T0), seen: {}, floor: null }
  const ids = emulator
    .addEvents([1, 2, 3].map((i) => ({ created_at: at(T0 + i * 1000) })))
    .map((e) => e.event_id)
  clock.advance(30_000)
  return { ...made, emulator, checkpoint, ids, log }
}

describe('fault handling', () => {
  it('honours Retry-After in seconds on 429 and logs the failure once, without the key', async () => {
    const { source, emulator, checkpoint, ids, waits, log } = await waiting()
    emulator.fail({ kind: 'status', status: 429, retryAfter: '7' })
    const batch = await source.fetch(checkpoint)
    expect(batch.events.map((e) => e.event_id)).toEqual(ids)
    expect(waits).toEqual([7000])
    const failures = log.lines.filter((l) => l.level === 40)
    expect(failures).toHaveLength(1)
    expect(String(failures[0]!.cause)).toContain('HTTP 429')
    expect(log.text()).not.toContain(emulator.apiKey)
    expect(source.stats.retries).toBe(1)
  })

  it('honours Retry-After as an HTTP date', async () => {
    const { source, emulator, checkpoint, waits } = await waiting()
    emulator.fail({ kind: 'status', status: 429, retryAfter: new Date(Date.now() + 4000).toUTCString() })
    await source.fetch(checkpoint)
    expect(waits).toHaveLength(1)
    expect(waits[0]).toBeGreaterThan(2000)
    expect(waits[0]).toBeLessThanOrEqual(4000)
  })

  it('retries 5xx, hangs, truncated and non-JSON bodies and connection resets with growing jittered backoff', async () => {
    const { source, emulator, checkpoint, ids, waits, log } = await waiting({ requestTimeoutMs: 300 })
    const faults: Fault[] = [
      { kind: 'status', status: 500 },
      { kind: 'status', status: 503 },
      { kind: 'hang' },
      { kind: 'truncated' },
    ]
    emulator.fail(...faults)
    const batch = await source.fetch(checkpoint)
    expect(batch.events.map((e) => e.event_id)).toEqual(ids)
    // random() = 0.5 with base 500 ms: half of 500, 1000, 2000, 4000.
    expect(waits).toEqual([250, 500, 1000, 2000])
    const causes = log.lines.filter((l) => l.level === 40).map((l) => String(l.cause))
    expect(causes).toHaveLength(4)
    expect(causes[0]).toContain('HTTP 500')
    expect(causes[1]).toContain('HTTP 503')
    expect(causes[2]).toContain('timeout')
    expect(causes[3]).toContain('truncated')

    emulator.fail({ kind: 'non-json' }, { kind: 'reset' })
    const again = await source.fetch(checkpoint)
    expect(again.events.map((e) => e.event_id)).toEqual(ids)
    const more = log.lines.filter((l) => l.level === 40).map((l) => String(l.cause))
    expect(more[4]).toContain('not JSON')
    expect(more[5]).toMatch(/connection failed|truncated/)
  })

  it('gives up after the configured attempts with SourceUnavailableError, cursor untouched, then recovers', async () => {
    const { source, emulator, checkpoint, ids } = await waiting({ retry: { attempts: 3, random: () => 0 } })
    const before = structuredClone(checkpoint)
    emulator.fail(...Array.from({ length: 3 }, () => ({ kind: 'status', status: 503 }) as Fault))
    const error = await source.fetch(checkpoint).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SourceUnavailableError)
    expect((error as SourceUnavailableError).attempts).toBe(3)
    expect((error as Error).message).toContain('HTTP 503')
    expect(emulator.requests).toBe(3)
    expect(checkpoint).toEqual(before)
    const batch = await source.fetch(checkpoint)
    expect(batch.events.map((e) => e.event_id)).toEqual(ids)
  })

  it('logs an outage once: later failing polls only at debug level, and the recovery at info', async () => {
    const { source, emulator, checkpoint, ids, log } = await waiting({
      retry: { attempts: 3, random: () => 0 },
    })
    const loud = () => log.lines.filter((line) => (line.level as number) >= 40)
    emulator.fail(...Array.from({ length: 6 }, () => ({ kind: 'status', status: 503 }) as Fault))
    await expect(source.fetch(checkpoint)).rejects.toBeInstanceOf(SourceUnavailableError)
    await new Promise((resolve) => setImmediate(resolve))
    expect(loud()).toHaveLength(3) // two retries (warn) and the give-up (error)
    await expect(source.fetch(checkpoint)).rejects.toBeInstanceOf(SourceUnavailableError)
    await new Promise((resolve) => setImmediate(resolve))
    expect(loud()).toHaveLength(3) // the same outage: nothing new above debug
    expect(log.lines.filter((line) => line.level === 20).length).toBeGreaterThanOrEqual(3)
    const batch = await source.fetch(checkpoint)
    expect(batch.events.map((e) => e.event_id)).toEqual(ids)
    await new Promise((resolve) => setImmediate(resolve))
    expect(log.lines.filter((line) => line.level === 30).map((line) => line.msg)).toContainEqual(
      expect.stringMatching(/^Seam is reachable again \(after \d+ s\)$/),
    )
    // A new outage after the recovery is reported again.
    emulator.fail(...Array.from({ length: 3 }, () => ({ kind: 'status', status: 503 }) as Fault))
    await expect(source.fetch(checkpoint)).rejects.toBeInstanceOf(SourceUnavailableError)
    await new Promise((resolve) => setImmediate(resolve))
    expect(loud()).toHaveLength(6)
  })

  it('stops at once with a clear error when the API key is rejected (401)', async () => {
    const { source, emulator, checkpoint, log } = await waiting({ apiKey: 'seam_wrong_key' })
    const error = await source.fetch(checkpoint).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SeamAlertsError)
    expect((error as SeamAlertsError).code).toBe('SEAM_AUTH')
    expect((error as Error).message).toBe('Seam rejected the API key (401): check seam.apiKey / SEAM_API_KEY')
    expect(emulator.requests).toBe(1)
    expect(log.text()).not.toContain('seam_wrong_key')
  })

  it('rejects a page larger than 500 in the emulator (the source never asks for one)', async () => {
    const { source, emulator, checkpoint } = await waiting({ pageSize: 5000 })
    await source.fetch(checkpoint)
    expect(emulator.requestBodies.every((b) => b.limit === 500)).toBe(true)
    const raw = await fetch(`${emulator.url}/events/list`, {
      method: 'POST',
      headers: { authorization: `Bearer ${emulator.apiKey}` },
      body: JSON.stringify({ since: at(T0), limit: 501 }),
    })
    expect(raw.status).toBe(400)
  })
})

describe('SeamClient.getDevice', () => {
  it('returns the device names, and undefined for an unknown device', async () => {
    const { client } = await waiting()
    expect(await client.getDevice('device_1')).toMatchObject({ display_name: 'Front Door' })
    expect(await client.getDevice('nope')).toBeUndefined()
  })
})

describe('a fresh daemon', () => {
  it('starts at now with a floor and reads nothing older', async () => {
    const clock = manualClock(T0)
    emulator = await startStrictEmulator({ clock: clock.now })
    emulator.addEvent({ created_at: at(T0 - 1000) })
    const { source } = makeSource({ ...emulator, clock })
    const batch = await source.fetch(emptyCheckpoint())
    expect(batch).toMatchObject({ events: [], caughtUp: true, checkpoint: { cursor: at(T0), floor: at(T0) } })
    clock.advance(10_000)
    expect((await source.fetch(batch.checkpoint)).events).toEqual([])
  })
})
