import { whenAborted } from '../../abort.js'
import { SeamAlertsError } from '../../errors.js'
import type { StateHolder } from '../../state/state-holder.js'
import { connectUrl } from '../api/address-file.js'
import { ApiError } from '../api/http.js'
import { apiHandler } from '../api/router.js'
import type { DaemonHandle, DaemonOptions } from '../daemon.js'
import { gaugeRefresher } from '../daemon-state.js'
import { HealthTracker } from '../health.js'
import { type HealthServer, startHealthServer } from '../health-server.js'
import { warnInsecureSetup } from '../insecure-warnings.js'
import { Lifecycle } from '../lifecycle.js'
import { DaemonMetrics } from '../metrics.js'
import { type HaBackend, openHaBackend } from './backend.js'
import { newHolderId } from './holder-id.js'
import { Leadership } from './leadership.js'
import { Lease } from './lease.js'
import { logStandbyStartLine } from './standby-start-line.js'
import { StoreDownAlert } from './store-down.js'
import { type LeaderTerm, startTerm, type TermBase } from './term.js'

/**
 * A replica on a PostgreSQL state. What lasts for the whole process: the database connection, metrics, /healthz
 * and /metrics (they answer in both roles), and the leadership (the lease, as ONE lifecycle component). What the
 * leader runs (rules, polling, delivery, digests, housekeeping, heartbeat) lives in a term (term.ts), started
 * each time this replica takes the lease and torn down when it loses it. Any number of replicas may run against
 * one database; one leads.
 */
export async function startReplica(
  opts: DaemonOptions & { once: boolean; stopTimeoutMs: number },
): Promise<DaemonHandle> {
  const { config, logger } = opts
  const clock = opts.clock ?? { now: () => Date.now() }
  const metrics = new DaemonMetrics()
  const health = new HealthTracker(clock)
  const backend = await openHaBackend({ config, logger, metrics, health })
  const lifecycle = new Lifecycle(logger)
  lifecycle.add({ name: 'database', stop: () => backend.close() })
  let fail: (error: unknown) => void = () => {}
  const fatal = new Promise<never>((_, reject) => {
    fail = reject
  })
  fatal.catch(() => undefined)

  let term: LeaderTerm | undefined
  let server: HealthServer | undefined
  const base: TermBase = {
    config,
    logger,
    clock,
    metrics,
    health,
    once: opts.once,
    stopTimeoutMs: opts.stopTimeoutMs,
    signal: lifecycle.signal,
    fatal,
    fail,
    leaderOptions: {
      ...(opts.actionsOverride ? { actionsOverride: opts.actionsOverride } : {}),
      ...(opts.consoleStream ? { consoleStream: opts.consoleStream } : {}),
    },
    openState: (guard, epoch) => backend.openState({ holder: lease.holder, epoch, guard }),
  }
  const lease = new Lease({
    db: backend.leaseDb,
    schema: backend.schema,
    holder: newHolderId(),
    ttlMs: config.ha.leaseTtl,
    apiUrl: () => (server && config.server ? connectUrl(config.server.host, server.port) : undefined),
  })
  let started = false
  const leadership = new Leadership({
    lease,
    renewEveryMs: config.ha.renewEvery,
    maxBackoffMs: config.ha.leaseTtl,
    logger,
    metrics,
    health,
    storeDown: new StoreDownAlert({
      logger,
      target: backend.target,
      console: config.console ? (opts.consoleStream ?? process.stdout) : undefined,
    }),
    lead: async (guard, epoch) => {
      const next = await startTerm(base, guard, epoch)
      term = next
      guard.lost.addEventListener('abort', () => {
        if (term === next) term = undefined
      })
      if (started) next.leader.logStartLine({ healthUrl: server?.url, role: 'leader', promoted: true })
      return {
        stop: async () => {
          await next.stop()
          if (term === next) term = undefined
        },
      }
    },
  })
  health.useRole(() => leadership.report())
  try {
    server = await serveReplicaHealth({ opts, backend, health, metrics, leadership, term: () => term })
    if (server) {
      const listening = server
      lifecycle.add({ name: 'health server', stop: () => listening.close() })
    }
    lifecycle.add({
      name: 'leader lease',
      start: () => leadership.start().then(() => undefined),
      stop: () => leadership.stop(),
    })
    await lifecycle.start()
    started = true
    if (opts.once && leadership.role !== 'leader') {
      const holder = lease.lastSeen?.holder
      throw new SeamAlertsError(
        'STATE_LOCKED',
        `run --once needs the leader lease of ${backend.target}, but ${holder ?? 'another replica'} holds it: stop that replica first, or let it do the work`,
      )
    }
    if (term) term.leader.logStartLine({ healthUrl: server?.url, role: 'leader' })
    else
      logStandbyStartLine(logger, {
        config,
        lease: lease.lastSeen,
        healthUrl: server?.url,
      })
    if (term) term.leader.warnUnroutable()
    await warnInsecureSetup(logger, config)
  } catch (error) {
    await lifecycle.stop()
    throw error
  }

  const done = runReplica({
    lifecycle,
    fatal,
    logger,
    once: opts.once,
    term: () => term,
    drainMs: opts.onceDrainMs ?? 30_000,
  })
  done.catch(() => undefined)
  return {
    done,
    stop: async () => {
      lifecycle.abort()
      await done.catch(() => undefined)
    },
    // The lease is not a lock to release in a hurry: it expires on its own.
    release: async () => undefined,
    healthUrl: server?.url,
    metrics,
  }
}

async function runReplica(opts: {
  lifecycle: Lifecycle
  fatal: Promise<never>
  logger: DaemonOptions['logger']
  once: boolean
  term: () => LeaderTerm | undefined
  drainMs: number
}): Promise<void> {
  const { lifecycle } = opts
  let stopping: Promise<void> | undefined
  const shutdown = () => {
    stopping ??= lifecycle.stop().then(() => opts.logger.info('seam-alerts stopped'))
    return stopping
  }
  const term = opts.term()
  if (opts.once && term) {
    const failure = await term.leader.loop.once().catch((error: unknown) => error)
    await term.leader.worker.drain(opts.drainMs)
    await shutdown()
    if (failure) throw failure
    return
  }
  try {
    await Promise.race([whenAborted(lifecycle.signal), opts.fatal])
  } finally {
    await shutdown()
  }
}

/**
 * /healthz, /metrics and the local API of a replica. The API works on the leader's live state; a standby answers
 * 503 naming the leader's API URL (the CLI reads it from the lease row). No `<state>.api` file: the lease row
 * holds the leader's address.
 */
async function serveReplicaHealth(parts: {
  opts: DaemonOptions
  backend: HaBackend
  health: HealthTracker
  metrics: DaemonMetrics
  leadership: Leadership
  term: () => LeaderTerm | undefined
}): Promise<HealthServer | undefined> {
  const { opts, health, metrics, leadership } = parts
  const { config, logger } = opts
  if (config.server === false) return undefined
  const { host, port, apiToken } = config.server
  const clock = opts.clock ?? { now: () => Date.now() }
  const api = apiHandler({
    get state(): StateHolder {
      const term = parts.term()
      if (term) return term.state
      const leader = leadership.lease.lastSeen?.apiUrl
      throw new ApiError(
        503,
        `this replica is a standby: ${leader ? `the leader's API is at ${leader}` : 'no leader right now'}`,
      )
    },
    clock,
    logger,
    apiToken,
  })
  const beforeScrape = () => {
    leadership.report()
    const term = parts.term()
    if (term) gaugeRefresher({ state: term.state, metrics, health, clock })()
    else metrics.up.set(health.healthy() ? 1 : 0)
  }
  return startHealthServer({ host, port, health, metrics, logger, beforeScrape, api })
}
