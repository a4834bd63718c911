import { abortedError, untilAborted } from '../abort.js'
import { hasCode } from '../errors.js'
import { nextCheckpoint, wasSeen } from './checkpoint.js'
import { compareEvents, type RejectedEvent, type SeamEvent } from './event.js'
import { DEFAULT_EVENT_LIMITS, type EventLimits } from './event-limits.js'
import type { EventBatch, EventSource, SourceCheckpoint } from './event-source.js'
import { type JsonlItem, readJsonlEvents } from './jsonl-reader.js'

export interface JsonlEventSourceOptions {
  file: string
  /** Lines per batch (default 1,000). */
  batchSize?: number
  /** How long seen ids are kept behind the cursor, as for the API (default 5 min). */
  lookbackMs?: number
  /** Bounds on one event (default DEFAULT_EVENT_LIMITS); null checks none. */
  limits?: EventLimits | null
}

/**
 * Replays a JSONL file (one event a line, ideally sorted by created_at) through the EventSource interface, so the
 * daemon pipeline can run on a file. Each fetch reads the next `batchSize` lines; `caughtUp` is true at end of file.
 * With a checkpoint from an earlier run, events created before the cursor or already seen are skipped.
 */
export class JsonlEventSource implements EventSource {
  readonly #opts: Required<JsonlEventSourceOptions>
  #lines: AsyncGenerator<JsonlItem> | undefined
  #done = false

  constructor(opts: JsonlEventSourceOptions) {
    this.#opts = { batchSize: 1000, lookbackMs: 300_000, limits: DEFAULT_EVENT_LIMITS, ...opts }
  }

  /**
   * `signal` (shutdown) cancels the read: it rejects with ABORTED and the file is closed, so a later fetch reads
   * it again from the start, skipping what the checkpoint says was handed on.
   */
  async fetch(checkpoint: SourceCheckpoint, signal?: AbortSignal): Promise<EventBatch> {
    try {
      return await this.#read(checkpoint, signal)
    } catch (error) {
      if (hasCode(error, 'ABORTED')) {
        // Not awaited: a read still pending (a stalled pipe) must not hold up the cancellation.
        void this.#lines?.return(undefined).catch(() => undefined)
        this.#lines = undefined
      }
      throw error
    }
  }

  async #read(checkpoint: SourceCheckpoint, signal: AbortSignal | undefined): Promise<EventBatch> {
    if (signal?.aborted) throw abortedError(`reading ${this.#opts.file}`, signal)
    this.#lines ??= readJsonlEvents(this.#opts.file, this.#opts.limits)
    const cursor = checkpoint.cursor === null ? Number.NEGATIVE_INFINITY : Date.parse(checkpoint.cursor)
    const events: SeamEvent[] = []
    const rejected: RejectedEvent[] = []
    const ids = new Set<string>()
    let read = 0
    while (!this.#done && read < this.#opts.batchSize) {
      const next = await untilAborted(this.#lines.next(), signal, `reading ${this.#opts.file}`)
      if (next.done) {
        this.#done = true
        break
      }
      read += 1
      const item = next.value
      if ('rejected' in item) {
        rejected.push(item.rejected)
        continue
      }
      const { event } = item
      if (
        Date.parse(event.created_at) < cursor ||
        wasSeen(checkpoint, event.event_id) ||
        ids.has(event.event_id)
      )
        continue
      ids.add(event.event_id)
      events.push(event)
    }
    events.sort(compareEvents)
    const last = events[events.length - 1]
    // The cursor only moves forward; an unsorted file keeps it at the newest time read so far.
    const upper = Math.max(cursor, last ? Date.parse(last.created_at) : cursor)
    const next: SourceCheckpoint =
      upper === Number.NEGATIVE_INFINITY
        ? { cursor: null, seen: { ...checkpoint.seen }, floor: checkpoint.floor ?? null }
        : nextCheckpoint(checkpoint, events, new Map(), upper, this.#opts.lookbackMs, null)
    if (upper !== Number.NEGATIVE_INFINITY) next.floor = checkpoint.floor ?? null
    return { events, rejected, checkpoint: next, caughtUp: this.#done }
  }

  /** Stop reading (closes the file). */
  async close(): Promise<void> {
    await this.#lines?.return(undefined)
    this.#done = true
  }
}
