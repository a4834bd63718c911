import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { manualClock } from '../../src/clock.js'
import type { SeamAlertsError } from '../../src/errors.js'
import { SourceUnavailableError } from '../../src/source/errors.js'
import { emptyCheckpoint } from '../../src/source/event-source.js'
import { at, captureLogger, MIN, T0 } from '../helpers/fixtures.js'
import { type StrictEmulator, startStrictEmulator } from '../helpers/strict-emulator.js'
import { makeSource } from './support.js'

let emulator: StrictEmulator | undefined
let server: Server | undefined
afterEach(async () => {
  await emulator?.close()
  emulator = undefined
  if (server) {
    server.closeAllConnections()
    await new Promise((resolve) => server!.close(resolve))
  }
  server = undefined
})

/** A misbehaving /events/list (a proxy dropping the body, say): ignores every filter and returns these events. */
async function filterIgnoringServer(
  events: Record<string, unknown>[],
): Promise<{ url: string; bodies: unknown[] }> {
  const bodies: unknown[] = []
  server = createServer((req, res) => {
    let text = ''
    req.on('data', (chunk) => {
      text += chunk
    })
    req.on('end', () => {
      bodies.push(JSON.parse(text || '{}'))
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ events }))
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies }
}

const event = (id: string, createdAt: number) => ({
  event_id: id,
  event_type: 'lock.unlocked',
  created_at: at(createdAt),
  occurred_at: at(createdAt),
  workspace_id: 'ws_1',
  device_id: 'device_1',
})

describe('the first fetch of a fresh start at "now"', () => {
  it('asks Seam even though its window is empty', async () => {
    const clock = manualClock(T0)
    emulator = await startStrictEmulator({ clock: clock.now })
    const { source } = makeSource({ ...emulator, clock })
    const batch = await source.fetch(emptyCheckpoint())
    expect(batch).toMatchObject({ events: [], caughtUp: true, checkpoint: { cursor: at(T0), floor: at(T0) } })
    expect(emulator.requests).toBe(1)
    // Once Seam has answered, an empty window is not asked for again.
    await source.fetch(batch.checkpoint)
    expect(emulator.requests).toBe(1)
  })

  it('fails with SEAM_AUTH when the API key is wrong', async () => {
    const clock = manualClock(T0)
    emulator = await startStrictEmulator({ clock: clock.now })
    const { source } = makeSource({ url: emulator.url, apiKey: 'seam_wrong_key', clock })
    const error = await source.fetch(emptyCheckpoint()).catch((e: unknown) => e)
    expect((error as SeamAlertsError).code).toBe('SEAM_AUTH')
  })

  it('fails with SourceUnavailableError when the endpoint is unreachable', async () => {
    const closed = createServer()
    closed.listen(0, '127.0.0.1')
    await once(closed, 'listening')
    const port = (closed.address() as AddressInfo).port
    await new Promise((resolve) => closed.close(resolve))
    const { source } = makeSource({ url: `http://127.0.0.1:${port}`, apiKey: 'k', retry: { attempts: 2 } })
    const error = await source.fetch(emptyCheckpoint()).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SourceUnavailableError)
    expect((error as Error).message).toMatch(/connection failed/)
  })
})

describe('events outside the requested window', () => {
  it('are dropped, counted and logged at debug when the API ignores the time filter', async () => {
    const clock = manualClock(T0)
    const fake = await filterIgnoringServer([
      event('evt_future', T0 + 5 * MIN),
      event('evt_inside', T0 + 5_000),
      event('evt_before_start', T0 - 1_000),
    ])
    const log = captureLogger()
    const { source } = makeSource({ url: fake.url, apiKey: 'k', clock, logger: log.logger })
    // Fresh 'now' start: the probe's answer is all outside the (empty) window.
    const first = await source.fetch(emptyCheckpoint())
    expect(first.events).toEqual([])
    expect(source.stats.outOfWindow).toBe(3)
    clock.advance(10_000)
    const second = await source.fetch(first.checkpoint)
    expect(second.events.map((e) => e.event_id)).toEqual(['evt_inside'])
    expect(Object.keys(second.checkpoint.seen)).toEqual(['evt_inside'])
    expect(source.stats.outOfWindow).toBe(5)
    expect(source.stats.delivered).toBe(1)
    const dropped = log.lines.filter((line) => /outside the requested window/.test(String(line.msg)))
    expect(dropped.length).toBeGreaterThan(0)
    expect(dropped.every((line) => line.level === 20)).toBe(true)
    expect(fake.bodies).toHaveLength(2)
  })

  it('never hands on events older than the lookback before a saved cursor, nor before the floor', async () => {
    const clock = manualClock(T0)
    const fake = await filterIgnoringServer([
      event('evt_old', T0 - 10 * MIN),
      event('evt_before_floor', T0 - 2 * MIN),
      event('evt_late', T0 - 30_000),
    ])
    const { source } = makeSource({ url: fake.url, apiKey: 'k', clock, lookbackMs: 5 * MIN })
    const batch = await source.fetch({ cursor: at(T0 - 10_000), seen: {}, floor: at(T0 - MIN) })
    expect(batch.events.map((e) => e.event_id)).toEqual(['evt_late'])
    expect(source.stats.outOfWindow).toBe(2)
  })
})
