import type { Config } from '../../config.js'
import type { Logger } from '../../log.js'
import type { StateHolder } from '../../state/state-holder.js'
import type { HealthTracker } from '../health.js'
import type { DaemonMetrics } from '../metrics.js'
import type { LeaderGuard } from './guard.js'
import type { LeaseSql } from './lease.js'

/** Is the `state` setting a PostgreSQL URL (a replica) rather than a state file? */
export const isPostgresState = (state: string): boolean => /^postgres(?:ql)?:\/\//i.test(state.trim())

/** What a replica needs of its PostgreSQL database. */
export interface HaBackend {
  /** `host:port/database` for messages: never the password. */
  target: string
  schema: string
  /** Lease statements, on a connection of their own (a slow state write never delays a renewal). */
  leaseDb: LeaseSql
  /** The state of one leader term, loaded fresh, its writes fenced by (holder, epoch) and by `guard`. */
  openState(term: { holder: string; epoch: number; guard: LeaderGuard }): Promise<StateHolder>
  close(): Promise<void>
}

export async function openHaBackend(_opts: {
  config: Config
  logger: Logger
  metrics: DaemonMetrics
  health: HealthTracker
}): Promise<HaBackend> {
  throw new Error('the PostgreSQL store is not merged yet')
}
