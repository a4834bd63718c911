import type { Clock } from '../clock.js'
import type { Config } from '../config.js'
import type { Logger } from '../log.js'
import type { StateHolder } from '../state/state-holder.js'
import { openDaemonState } from './daemon-state.js'
import type { LeaderGuard } from './ha/guard.js'
import { HealthTracker } from './health.js'
import { Lifecycle } from './lifecycle.js'
import { DaemonMetrics } from './metrics.js'

/**
 * What every daemon component is built from, passed as one object. A component takes the fields it needs (its
 * options are a structural subset: `new SelfMonitor({ ...ctx, monitor, actions })`) and registers its teardown on
 * `lifecycle`.
 */
export interface DaemonContext {
  readonly config: Config
  readonly logger: Logger
  readonly clock: Clock
  readonly metrics: DaemonMetrics
  readonly health: HealthTracker
  /** The live state (locked). The first component: it closes last. */
  readonly state: StateHolder
  readonly lifecycle: Lifecycle
  /** Aborted when shutdown begins (`lifecycle.signal`). */
  readonly signal: AbortSignal
  /** "Work queued": call after adding to the outbox. Wakes the delivery worker; safe to call at any time. */
  readonly onQueued: () => void
  /** Who answers onQueued (the delivery worker, once it exists). */
  readonly answerQueued: (listener: () => void) => void
  /** `run --once`: one cycle, no background schedules. */
  readonly once: boolean
  /** Bound of each wait during shutdown. */
  readonly stopTimeoutMs: number
  /**
   * Rejects when a component hits an error the daemon must stop for (the state lock lost for good): the run
   * shuts down and reports it, as for SEAM_AUTH. A component reports one with `fail`.
   */
  readonly fatal: Promise<never>
  readonly fail: (error: unknown) => void
  /**
   * A replica's leader term (PostgreSQL state, src/daemon/ha/): checked before each poll cycle, send and state
   * write. Absent on a state file, where the daemon is always the leader.
   */
  readonly leader?: LeaderGuard
}

/**
 * Build the context: metrics, health, the lifecycle, and the state file (locked and loaded; a damaged one throws
 * STATE_CORRUPT). The state registers first: at shutdown it closes last, after everything that writes to it.
 * `release` is the last-resort unlock (crash path).
 */
export async function openContext(opts: {
  config: Config
  logger: Logger
  clock: Clock
  once: boolean
  stopTimeoutMs: number
}): Promise<{ ctx: DaemonContext; release: () => Promise<void> }> {
  const { config, logger } = opts
  const metrics = new DaemonMetrics()
  metrics.haLeader.set(1) // the state file's lock makes this daemon the leader
  const health = new HealthTracker(opts.clock)
  const { state, release, lockLost } = await openDaemonState({
    file: config.state,
    limits: config.limits,
    logger,
    metrics,
    health,
  })
  const lifecycle = new Lifecycle(logger)
  lifecycle.add({
    name: 'state',
    stop: () =>
      state.close().catch((error: unknown) => logger.error({ err: error }, 'closing the state failed')),
  })
  let listener = () => {}
  let fail: (error: unknown) => void = () => {}
  const fatal = new Promise<never>((_, reject) => {
    fail = reject
  })
  // Avoid an unhandled rejection when nothing is racing it yet (start-up, --once).
  fatal.catch(() => undefined)
  lockLost.catch(fail)
  const ctx: DaemonContext = {
    fatal,
    fail,
    ...opts,
    metrics,
    health,
    state,
    lifecycle,
    signal: lifecycle.signal,
    onQueued: () => listener(),
    answerQueued: (next) => {
      listener = next
    },
  }
  return { ctx, release }
}
