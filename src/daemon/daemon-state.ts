import type { Clock } from '../clock.js'
import type { Limits } from '../limits.js'
import type { Logger } from '../log.js'
import { JsonFileStore } from '../state/json-file-store.js'
import { StateHolder } from '../state/state-holder.js'
import type { HealthTracker } from './health.js'
import { recoverLostLocks } from './lock-recovery.js'
import type { DaemonMetrics } from './metrics.js'
import { reportedWrites } from './reported-writes.js'

export interface DaemonState {
  state: StateHolder
  /** Last-resort release of the state lock (crash path). */
  release(): Promise<void>
  /**
   * Rejects with STATE_LOCK_LOST when the state lock was lost and could not be taken back within
   * `limits.lockLostMax` (see lock-recovery.ts): the daemon must stop, and exits 75 (EXIT_TEMPFAIL).
   */
  lockLost: Promise<never>
}

/**
 * Take the state file's lock and load it (or start fresh), with every write reported to the metrics and to
 * /healthz. A damaged file (STATE_CORRUPT) or one over `limits.stateFileMax` (STATE_TOO_LARGE, refused before
 * it is read) releases the lock and propagates: never start from scratch over it. A symlinked state path is
 * resolved once, here: the real file is locked and written.
 */
export async function openDaemonState(opts: {
  file: string
  limits: Limits
  logger: Logger
  metrics: DaemonMetrics
  health: HealthTracker
}): Promise<DaemonState> {
  const { logger, metrics, health } = opts
  const store = await JsonFileStore.open(opts.file, { logger, maxBytes: opts.limits.stateFileMax })
  let state: StateHolder
  try {
    state = await StateHolder.open(store, reportedWrites({ logger, metrics, health }))
  } catch (error) {
    await store.close().catch(() => undefined)
    throw error
  }
  health.useDurableCursor(() => state.current().source.cursor)
  const lockLost = recoverLostLocks({ store, state, health, logger, maxMs: opts.limits.lockLostMax })
  return { state, release: () => state.close().catch(() => store.close()), lockLost }
}

/** Set the gauges that describe the state (outbox, dead letters, cursor lag, health) from the durable state. */
export function gaugeRefresher(opts: {
  state: StateHolder
  metrics: DaemonMetrics
  health: HealthTracker
  clock: Clock
}): () => void {
  const { state, metrics, health, clock } = opts
  return () => {
    const current = state.current()
    metrics.outboxSize.set(current.outbox.length)
    metrics.deadLetters.set(current.deadLetters.length)
    const cursor = current.source.cursor ? Date.parse(current.source.cursor) : Number.NaN
    if (!Number.isNaN(cursor)) metrics.cursorLag.set(Math.max(0, (clock.now() - cursor) / 1000))
    metrics.up.set(health.healthy() ? 1 : 0)
  }
}
