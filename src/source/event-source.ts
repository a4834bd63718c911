import type { RejectedEvent, SeamEvent } from './event.js'

/**
 * Where the source stands. Persisted by the daemon in the state file together with what the batch produced,
 * so the cursor only moves once the batch's consequences are durable.
 */
export interface SourceCheckpoint {
  /** ISO time: every event created before this instant has been handed on. Null: nothing read yet. */
  cursor: string | null
  /** event_id -> created_at (epoch ms) of events already handed on, kept at least `lookback`. */
  seen: Record<string, number>
  /** ISO time: never read events created before this (the `startFrom` of a fresh daemon). Null: no floor. */
  floor?: string | null
}

export interface EventBatch {
  /** Ascending by (created_at, event_id), no event seen before. */
  events: SeamEvent[]
  /** Events that failed validation: already logged and counted by the source, handed over for metrics. */
  rejected: RejectedEvent[]
  /** The checkpoint to persist once `events` are handled. */
  checkpoint: SourceCheckpoint
  /** False while a backlog remains (fetch again at once); true when caught up with now or the end of a file. */
  caughtUp: boolean
}

/** The API poller and the JSONL replay reader both implement this. */
export interface EventSource {
  /**
   * Read the next batch after `checkpoint`. When `signal` aborts (shutdown), the read in flight ends at once with
   * an ABORTED error and the checkpoint stays where it was. (Optional, unlike a send's: each request to Seam has
   * its own timeout, so the signal only cancels.)
   */
  fetch(checkpoint: SourceCheckpoint, signal?: AbortSignal): Promise<EventBatch>
}

export const emptyCheckpoint = (): SourceCheckpoint => ({ cursor: null, seen: {} })
