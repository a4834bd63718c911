import type { Clock } from '../../clock.js'
import type { Config } from '../../config.js'
import type { Logger } from '../../log.js'
import type { StateHolder } from '../../state/state-holder.js'
import type { DaemonContext } from '../context.js'
import type { HealthTracker } from '../health.js'
import { buildLeader, finalStateWrite, type Leader, type LeaderOptions } from '../leader.js'
import { Lifecycle } from '../lifecycle.js'
import type { DaemonMetrics } from '../metrics.js'
import type { LeaderGuard } from './guard.js'
import type { Term } from './leadership.js'

/** What every term of one replica is built from (the replica's lasting parts). */
export interface TermBase {
  config: Config
  logger: Logger
  clock: Clock
  metrics: DaemonMetrics
  health: HealthTracker
  once: boolean
  stopTimeoutMs: number
  /** The replica's shutdown signal: aborts the term's work too. */
  signal: AbortSignal
  fatal: Promise<never>
  fail: (error: unknown) => void
  leaderOptions: LeaderOptions
  /**
   * The state, loaded fresh from the store, its writes fenced by `epoch`: refused unless `guard.mayAct()` and
   * the lease row still names this replica and epoch in the write's own transaction (the store's `FOR SHARE`
   * check), so nothing is recorded once another replica leads. A fenced write must call `guard.resign`.
   */
  openState(guard: LeaderGuard, epoch: number): Promise<StateHolder>
}

export interface LeaderTerm extends Term {
  leader: Leader
  state: StateHolder
}

/**
 * One term of leadership: the state loaded FRESH from the store (the committed cursor, outbox, incidents: never
 * what an earlier term of this process had in memory), then the leader's components on a lifecycle of the
 * term's own. Every state write is fenced (TermBase.openState); a fenced one makes the replica step down. The
 * term's work is aborted when the lease is lost (`guard.lost`) or the replica stops.
 */
export async function startTerm(base: TermBase, guard: LeaderGuard, epoch: number): Promise<LeaderTerm> {
  const { logger, metrics, health } = base
  const lifecycle = new Lifecycle(logger)
  const abort = () => lifecycle.abort()
  base.signal.addEventListener('abort', abort, { once: true })
  guard.lost.addEventListener('abort', abort, { once: true })
  const detach = () => {
    base.signal.removeEventListener('abort', abort)
    guard.lost.removeEventListener('abort', abort)
  }
  let state: StateHolder
  try {
    state = await base.openState(guard, epoch)
  } catch (error) {
    detach()
    throw error
  }
  lifecycle.add({
    name: 'state',
    stop: () =>
      state.close().catch((error: unknown) => logger.error({ err: error }, 'closing the state failed')),
  })
  let listener = () => {}
  const ctx: DaemonContext = {
    config: base.config,
    logger,
    clock: base.clock,
    metrics,
    health,
    state,
    lifecycle,
    signal: lifecycle.signal,
    onQueued: () => listener(),
    answerQueued: (next) => {
      listener = next
    },
    once: base.once,
    stopTimeoutMs: base.stopTimeoutMs,
    fatal: base.fatal,
    fail: base.fail,
    leader: guard,
  }
  try {
    lifecycle.add(finalStateWrite(ctx))
    const leader = await buildLeader(ctx, base.leaderOptions)
    await lifecycle.start()
    health.useDurableCursor(() => state.current().source.cursor)
    // A rejected API key (SEAM_AUTH) ends the replica, as it ends a daemon on a state file.
    if (!base.once) leader.loop.start().catch(base.fail)
    let stopping: Promise<void> | undefined
    return {
      leader,
      state,
      stop: () => {
        stopping ??= lifecycle.stop().finally(detach)
        return stopping
      },
    }
  } catch (error) {
    await lifecycle.stop()
    detach()
    throw error
  }
}
