import { Writable } from 'node:stream'
import { type Clock, manualClock } from '../../src/clock.js'
import { createLogger } from '../../src/log.js'
import { ApiEventSource, type ApiEventSourceOptions } from '../../src/source/api-event-source.js'
import { compareEvents, type SeamEvent } from '../../src/source/event.js'
import type { EventBatch, EventSource, SourceCheckpoint } from '../../src/source/event-source.js'
import { SeamClient } from '../../src/source/seam-client.js'
import { MIN, T0 } from '../helpers/fixtures.js'

/** A sleep that resolves at once and records what it was asked to wait. */
export function recordingSleep(onSleep?: (ms: number, index: number) => void) {
  const waits: number[] = []
  const sleep = async (ms: number) => {
    waits.push(ms)
    onSleep?.(ms, waits.length - 1)
  }
  return { sleep, waits }
}

export interface TestSourceOptions extends Partial<Omit<ApiEventSourceOptions, 'client'>> {
  url: string
  apiKey: string
  requestTimeoutMs?: number
  fetch?: typeof fetch
}

export function makeSource(opts: TestSourceOptions): {
  source: ApiEventSource
  clock: Clock & { set(t: number): void; advance(ms: number): void }
  waits: number[]
  client: SeamClient
} {
  const clock = (opts.clock as ReturnType<typeof manualClock>) ?? manualClock(T0)
  const { sleep, waits } = recordingSleep()
  const logger =
    opts.logger ?? createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, d) => d() }) })
  const client = new SeamClient({
    endpoint: opts.url,
    apiKey: opts.apiKey,
    requestTimeoutMs: opts.requestTimeoutMs ?? 5000,
    logger,
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  })
  const source = new ApiEventSource({
    lookbackMs: 5 * MIN,
    pageSize: 500,
    startFrom: 'now',
    sleep,
    retry: { attempts: 5, random: () => 0.5 },
    ...opts,
    client,
    clock,
    logger,
  })
  return { source, clock, waits, client }
}

/** Fetch until caught up, as the daemon does; every batch is checked and its checkpoint adopted (JSON round trip). */
export async function drain(
  source: EventSource,
  start: SourceCheckpoint,
  onBatch?: (batch: EventBatch) => void,
): Promise<{ events: SeamEvent[]; checkpoint: SourceCheckpoint; batches: number }> {
  let checkpoint = start
  const events: SeamEvent[] = []
  let batches = 0
  for (;;) {
    const batch = await source.fetch(checkpoint)
    batches += 1
    if (batches > 10_000) throw new Error('source never caught up')
    onBatch?.(batch)
    events.push(...batch.events)
    checkpoint = JSON.parse(JSON.stringify(batch.checkpoint))
    if (batch.caughtUp) return { events, checkpoint, batches }
  }
}

/** Throws unless the events are strictly ascending by (created_at, event_id): sorted and without repeats. */
export function expectStrictlyOrdered(events: SeamEvent[]): void {
  for (let i = 1; i < events.length; i++) {
    if (compareEvents(events[i - 1]!, events[i]!) >= 0) {
      throw new Error(
        `events out of order or repeated at ${i}: ${events[i - 1]!.event_id} then ${events[i]!.event_id}`,
      )
    }
  }
}
