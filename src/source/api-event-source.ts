import type { Clock } from '../clock.js'
import type { Logger } from '../log.js'
import { iso, nextCheckpoint, resolveStart, wasSeen } from './checkpoint.js'
import { SeamRequestError, SourceUnavailableError } from './errors.js'
import { compareEvents } from './event.js'
import { DEFAULT_EVENT_LIMITS, type EventLimits } from './event-limits.js'
import type { EventBatch, EventSource, SourceCheckpoint } from './event-source.js'
import { type RetryOptions, realSleep, type Sleep, withRetry } from './retry.js'
import type { SeamClient } from './seam-client.js'
import { SlicePlanner } from './slice-planner.js'
import { eventIdOf } from './validate-event.js'
import { acceptEvent, emptyWindowRead, type WindowRead } from './window-read.js'

export interface ApiEventSourceOptions {
  client: SeamClient
  lookbackMs: number
  /** Events per page (capped at 500, the API's maximum). */
  pageSize: number
  startFrom: 'now' | string
  clock: Clock
  logger: Logger
  /** Largest span (ms) one fetch reaches past the cursor (default 6 h); the span adapts below it. */
  sliceMs?: number
  /** Smallest span (default 1 s). */
  minSliceMs?: number
  /** A window reading more events than this is abandoned and re-read narrower (default 20,000). */
  maxSliceEvents?: number
  retry?: RetryOptions
  eventTypes?: string[] | null
  sleep?: Sleep
  /** Bounds on one event (default DEFAULT_EVENT_LIMITS): an event over them is rejected as malformed. */
  limits?: EventLimits
}

export interface SourceStats {
  /** HTTP attempts to /events/list. */
  requests: number
  retries: number
  rejected: number
  /** Raw events received (repeats included). */
  fetched: number
  /** Events handed on in batches. */
  delivered: number
  /** Windows abandoned over maxSliceEvents and re-read narrower. */
  abandoned: number
  /** Events the API returned from outside the window asked for (or before the floor): dropped, never handed on. */
  outOfWindow: number
}

const MAX_PAGE = 500

/**
 * Polls POST /events/list and hands on every event exactly once, in (created_at, event_id) order.
 *
 * Each fetch reads one frozen window [lower, upper) with lower = max(cursor - lookback, floor) and
 * upper = min(pollStartedAt, cursor + slice); `caughtUp` is true only when upper reached pollStartedAt. The window is
 * paged newest first with `between` + `limit` + `unstable_offset` until a page comes back short.
 *
 * Why paging cannot miss an event that is visible when the fetch starts: the API filters on created_at inside a
 * closed past interval and events are never deleted, so the list can only grow while we page. An event that becomes
 * visible mid-fetch lands either above the current offset, shifting every older event one place down (the next
 * page repeats one we already have: the per-window id map drops it; the newcomer itself is read by the next poll's
 * lookback), or below it, where a later page reads it. Nothing ever shifts up, so no visible event is skipped.
 * An event that becomes visible more than `lookback` after its created_at can be missed: lookback is the contract.
 */
export class ApiEventSource implements EventSource {
  readonly stats: SourceStats = {
    requests: 0,
    retries: 0,
    rejected: 0,
    fetched: 0,
    delivered: 0,
    abandoned: 0,
    outOfWindow: 0,
  }
  readonly #opts: ApiEventSourceOptions
  readonly #pageSize: number
  readonly #planner: SlicePlanner
  readonly #sleep: Sleep
  readonly #limits: EventLimits
  #eventTypes: string[] | null = null
  /** Has Seam answered a request yet? Until it has, every fetch makes at least one (see #probe). */
  #answered = false
  /** When a request last gave up (Seam unavailable), until one succeeds again. */
  #unavailableSince: number | undefined

  constructor(opts: ApiEventSourceOptions) {
    this.#opts = opts
    this.#pageSize = Math.max(1, Math.min(MAX_PAGE, Math.floor(opts.pageSize)))
    this.#planner = new SlicePlanner({
      maxMs: opts.sliceMs ?? 6 * 3_600_000,
      minMs: opts.minSliceMs ?? 1000,
      capEvents: opts.maxSliceEvents ?? 20_000,
    })
    this.#sleep = opts.sleep ?? realSleep
    this.#limits = opts.limits ?? DEFAULT_EVENT_LIMITS
    this.setEventTypes(opts.eventTypes ?? null)
  }

  /** Ask the API for these types only; null (or empty) reads every type. */
  setEventTypes(types: string[] | null): void {
    this.#eventTypes = types && types.length > 0 ? [...new Set(types)].sort() : null
  }

  /** The span the next fetch reaches past the cursor (adapts to event density). */
  get sliceMs(): number {
    return this.#planner.sliceMs
  }

  /** `signal` (shutdown) cancels the request in flight or the backoff before a retry: it rejects with ABORTED. */
  async fetch(checkpoint: SourceCheckpoint, signal?: AbortSignal): Promise<EventBatch> {
    const pollStartedAt = this.#opts.clock.now()
    const { cursor, floor } = resolveStart(checkpoint, this.#opts.startFrom, pollStartedAt)
    const lookback = this.#opts.lookbackMs
    const lower = floor === null ? cursor - lookback : Math.max(cursor - lookback, floor)
    if (cursor >= pollStartedAt) {
      if (!this.#answered) await this.#probe(cursor, signal)
      const same: SourceCheckpoint = {
        cursor: iso(cursor),
        seen: { ...checkpoint.seen },
        floor: floor === null ? null : iso(floor),
      }
      return { events: [], rejected: [], checkpoint: same, caughtUp: true }
    }
    for (;;) {
      const upper = Math.min(pollStartedAt, cursor + this.#planner.sliceMs)
      const read = await this.#readWindow(checkpoint, lower, upper, signal)
      if (!read.complete) {
        this.stats.abandoned += 1
        this.#planner.abandoned(read.events.size, upper - read.oldest, cursor - lower)
        this.#opts.logger.info(
          { from: iso(lower), to: iso(upper), events: read.events.size, nextSliceMs: this.#planner.sliceMs },
          'window too dense, re-reading a narrower slice',
        )
        continue
      }
      this.#planner.completed(read.events.size, upper - lower, cursor - lower)
      const events = [...read.events.values()].sort(compareEvents)
      this.stats.delivered += events.length
      this.#opts.logger.debug(
        { from: iso(lower), to: iso(upper), events: events.length, rejected: read.rejected.length },
        'read events window',
      )
      return {
        events,
        rejected: read.rejected,
        checkpoint: nextCheckpoint(checkpoint, events, read.rejectedIds, upper, lookback, floor),
        caughtUp: upper === pollStartedAt,
      }
    }
  }

  /**
   * A fresh start at 'now' has an empty first window. Ask anyway (one ordinary page of an empty interval) so a
   * wrong endpoint or API key fails the first poll (SEAM_AUTH, SourceUnavailableError) instead of going unnoticed.
   * Whatever comes back lies outside every window and is dropped.
   */
  async #probe(at: number, signal: AbortSignal | undefined): Promise<void> {
    const types = this.#eventTypes ? { event_types: this.#eventTypes } : {}
    const body = { between: [iso(at - 1), iso(at)], limit: this.#pageSize, ...types }
    const page = await this.#request(body, signal)
    if (page.length > 0) {
      this.stats.outOfWindow += page.length
      this.#opts.logger.debug(
        { events: page.length },
        'Seam returned events for an empty probe window: dropped',
      )
    }
  }

  async #readWindow(
    checkpoint: SourceCheckpoint,
    lower: number,
    upper: number,
    signal: AbortSignal | undefined,
  ): Promise<WindowRead> {
    const read = emptyWindowRead(upper)
    // `between` is exclusive at both ends: start 1 ms early so the window is [lower, upper) at ms precision.
    const between = [iso(lower - 1), iso(upper)]
    const idsThisWindow = new Set<string>()
    let offset = 0
    let stalePages = 0
    for (;;) {
      const body = {
        between,
        limit: this.#pageSize,
        unstable_offset: offset,
        ...(this.#eventTypes ? { event_types: this.#eventTypes } : {}),
      }
      const page = await this.#request(body, signal)
      this.stats.fetched += page.length
      let fresh = 0
      for (const raw of page) {
        const id = eventIdOf(raw)
        if (id !== undefined) {
          if (idsThisWindow.has(id)) continue // repeated by an offset shift (or an API ignoring offsets)
          idsThisWindow.add(id)
        }
        fresh += 1
        if (id !== undefined && wasSeen(checkpoint, id)) continue
        acceptEvent(raw, read, {
          lower,
          upper,
          limits: this.#limits,
          stats: this.stats,
          logger: this.#opts.logger,
        })
      }
      if (read.dropped > 0) {
        this.#opts.logger.debug(
          { from: iso(lower), to: iso(upper), dropped: read.dropped },
          'Seam returned events outside the requested window: dropped',
        )
        this.stats.outOfWindow += read.dropped
        read.dropped = 0
      }
      if (page.length < this.#pageSize) return read
      // A full page of nothing new twice running: the server is not honouring unstable_offset (the official fake
      // ignores it); stop rather than loop. A real shift that large would need 1,000 events appearing mid-fetch.
      stalePages = fresh === 0 ? stalePages + 1 : 0
      if (stalePages >= 2) {
        this.#opts.logger.warn({ offset }, 'Seam returned the same page again: unstable_offset seems ignored')
        return read
      }
      offset += page.length
      if (!this.#planner.allows(read.events.size)) return { ...read, complete: false }
    }
  }

  /** POST /events/list with retries (see withRetry); notes when Seam gives up and when it answers again. */
  async #request(body: Record<string, unknown>, signal: AbortSignal | undefined): Promise<unknown[]> {
    let events: unknown[]
    try {
      events = await withRetry('POST /events/list', () => this.#requestOnce(body, signal), {
        sleep: this.#sleep,
        logger: this.#opts.logger,
        onRetry: () => {
          this.stats.retries += 1
        },
        // Once a request has given up, the outage is reported (here, by the poll loop, health and the seam-down
        // meta-alert): the following polls' attempts are logged at debug level until Seam answers again.
        quiet: this.#unavailableSince !== undefined,
        retry: this.#opts.retry,
        signal,
      })
    } catch (error) {
      if (error instanceof SourceUnavailableError) this.#unavailableSince ??= this.#opts.clock.now()
      throw error
    }
    if (this.#unavailableSince !== undefined) {
      const downMs = this.#opts.clock.now() - this.#unavailableSince
      this.#opts.logger.info({ downMs }, `Seam is reachable again (after ${Math.round(downMs / 1000)} s)`)
      this.#unavailableSince = undefined
    }
    return events
  }

  async #requestOnce(body: Record<string, unknown>, signal: AbortSignal | undefined): Promise<unknown[]> {
    this.stats.requests += 1
    const answer = await this.#opts.client.post<{ events?: unknown }>('/events/list', body, signal)
    if (!answer || !Array.isArray(answer.events)) {
      throw new SeamRequestError('response from /events/list has no "events" array', { retryable: true })
    }
    this.#answered = true
    return answer.events as unknown[]
  }
}
