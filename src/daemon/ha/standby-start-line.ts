import type { Config } from '../../config.js'
import { formatDuration } from '../../duration.js'
import type { Logger } from '../../log.js'
import { describeStateSetting } from '../../state/postgres/target.js'
import { VERSION } from '../../version.js'
import type { LeaseRow } from './lease.js'

/**
 * The start line of a replica that began as a standby: no rules or cursor of its own yet (it loads them when it
 * takes the lease), but who leads, where, and how soon it would take over.
 */
export function logStandbyStartLine(
  logger: Logger,
  info: { config: Config; lease: LeaseRow | undefined; healthUrl: string | undefined },
): void {
  const { ha } = info.config
  const leader = info.lease?.holder
  const state = describeStateSetting(info.config.state)
  const parts = [
    `seam-alerts ${VERSION} started as standby`,
    `state ${state}`,
    leader
      ? `leader ${leader} (lease epoch ${info.lease?.epoch}${info.lease?.apiUrl ? `, API ${info.lease.apiUrl}` : ''})`
      : 'no leader yet',
    `takes over within ${formatDuration(ha.leaseTtl + ha.renewEvery)} of the leader's failure`,
  ]
  if (info.healthUrl) parts.push(`health ${info.healthUrl}/healthz, metrics ${info.healthUrl}/metrics`)
  logger.info(
    {
      version: VERSION,
      role: 'standby',
      state,
      leader: leader ?? null,
      epoch: info.lease?.epoch ?? null,
      renewEvery: formatDuration(ha.renewEvery),
      leaseTtl: formatDuration(ha.leaseTtl),
      health: info.healthUrl ?? null,
    },
    parts.join(' | '),
  )
}
