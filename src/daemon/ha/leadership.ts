import { errorMessage } from '../../errors.js'
import type { Logger } from '../../log.js'
import type { HealthTracker } from '../health.js'
import type { DaemonMetrics } from '../metrics.js'
import type { LeaderGuard } from './guard.js'
import type { Lease } from './lease.js'
import type { StoreDownAlert } from './store-down.js'

export type Role = 'leader' | 'standby'

/** A running leader term (term.ts): everything that polls, evaluates, delivers and writes. */
export interface Term {
  /** Stop its components (gracefully unless the guard was aborted first); idempotent. */
  stop(): Promise<void>
}

export interface LeadershipOptions {
  lease: Lease
  renewEveryMs: number
  /** Upper bound of the retry delay while the database fails (default the lease TTL). */
  maxBackoffMs: number
  logger: Logger
  metrics: DaemonMetrics
  health: HealthTracker
  storeDown: StoreDownAlert
  /**
   * Build and start a leader term for `epoch`: load the state fresh from the store (fenced by this epoch) and
   * start the leader's components, all checking `guard`. A throw leaves this replica standing by.
   */
  lead(guard: LeaderGuard, epoch: number): Promise<Term>
}

interface Tenure {
  epoch: number
  lost: AbortController
  /** Settles once the term has started (or failed to). */
  starting: Promise<Term | undefined>
}

/**
 * Who this replica is: the leader (it holds the lease; one term of leader components runs) or a standby (it only
 * serves /healthz and /metrics and tries to take the lease every `renewEvery`). The leader renews every
 * `renewEvery`; it steps down, aborting its term at once, when:
 * - a renewal finds the row taken over (another replica's epoch);
 * - the lease's local validity ends on the monotonic clock (renewals failing: a database outage, a partition,
 *   this process frozen): a watchdog timer, and every check its components make before they act;
 * - a state write is fenced (the store refused it: another replica leads).
 * A replica that stepped down stays up as a standby and may lead again later: each new term loads the state
 * fresh from the store, so it never alerts from state older than the last committed write. A database outage
 * therefore needs no supervisor: both replicas stand by, retrying with backoff, until it answers again.
 */
export class Leadership {
  #role: Role = 'standby'
  #tenure: Tenure | undefined
  #closing = false
  #stopped = false
  #failures = 0
  #watchdog: NodeJS.Timeout | undefined
  #wake: (() => void) | undefined
  #loop: Promise<void> | undefined

  constructor(private readonly opts: LeadershipOptions) {
    this.#gauges()
  }

  get role(): Role {
    return this.#role
  }

  get lease(): Lease {
    return this.opts.lease
  }

  /**
   * The first attempt (so the start line can say the role this replica began in; a leader's term has started
   * when this resolves), then the renew/acquire loop in the background.
   */
  async start(): Promise<Role> {
    await this.#step()
    await this.#tenure?.starting
    this.#loop = this.#run()
    return this.#role
  }

  /**
   * Clean stop: the term stops gracefully (sends in flight get their grace, the final state write happens) while
   * the lease is still renewed, then the lease is released so a standby takes over on its next try.
   */
  async stop(): Promise<void> {
    this.#closing = true
    const tenure = this.#tenure
    if (tenure) await (await tenure.starting)?.stop()
    this.#stopped = true
    this.#wake?.()
    await this.#loop
    this.#disarm()
    if (this.#tenure) {
      this.#tenure = undefined
      this.#setRole('standby')
    }
    if (this.opts.lease.epoch === undefined) return
    try {
      if (await this.opts.lease.release()) this.opts.logger.info('released the leader lease')
    } catch (error) {
      this.opts.logger.warn(
        { err: errorMessage(error) },
        'could not release the leader lease: a standby takes over once it expires',
      )
    }
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.#delay())
        this.#wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      this.#wake = undefined
      if (this.#stopped) break
      await this.#step()
    }
  }

  /** renewEvery, doubled per consecutive database failure while standing by, up to maxBackoffMs. */
  #delay(): number {
    const { renewEveryMs, maxBackoffMs } = this.opts
    if (this.#failures === 0 || this.#role === 'leader') return renewEveryMs
    return Math.min(maxBackoffMs, renewEveryMs * 2 ** Math.min(this.#failures - 1, 16))
  }

  async #step(): Promise<void> {
    const { lease } = this.opts
    try {
      if (this.#tenure) {
        const epoch = this.#tenure.epoch
        if (!(await lease.renew())) {
          if (this.#tenure?.epoch === epoch) await this.#stepDown('another replica took the lease over')
        } else if (this.#tenure?.epoch === epoch) this.#arm()
      } else if (!this.#closing) {
        const epoch = await lease.acquire()
        if (epoch !== undefined) this.#promote(epoch)
        else await lease.read()
      }
      this.#storeOk()
    } catch (error) {
      this.#storeFailed(error)
      if (this.#tenure && !lease.valid()) await this.#stepDown('the lease expired: renewals are failing')
    }
  }

  #storeOk(): void {
    this.#failures = 0
    this.opts.health.ok('store')
    this.opts.storeDown.recovered()
  }

  #storeFailed(error: unknown): void {
    this.#failures += 1
    const reason = errorMessage(error)
    this.opts.health.fail('store', reason)
    if (this.#failures === 1)
      this.opts.logger.warn({ err: reason }, 'lease query failed; retrying with backoff')
    // One failure may be this process's own (a statement timed out while it was frozen): an outage is two in a row.
    else this.opts.storeDown.failed(reason)
  }

  #promote(epoch: number): void {
    const lost = new AbortController()
    const guard: LeaderGuard = {
      // A failed check is how a replica resumed after a freeze learns its lease is gone, before its timers run:
      // it steps down at once.
      mayAct: () => {
        if (lost.signal.aborted) return false
        if (this.opts.lease.valid()) return true
        void this.#stepDown('the lease expired (found before acting)', epoch)
        return false
      },
      lost: lost.signal,
      resign: (reason) => void this.#stepDown(reason, epoch),
    }
    const tenure: Tenure = { epoch, lost, starting: Promise.resolve(undefined) }
    this.#tenure = tenure
    this.#setRole('leader')
    this.#arm()
    this.opts.logger.info(
      { epoch, holder: this.opts.lease.holder },
      `became the leader (lease epoch ${epoch}): loading the state and starting to poll`,
    )
    tenure.starting = this.opts.lead(guard, epoch).then(
      (term) => term,
      async (error: unknown) => {
        this.opts.logger.error(
          { err: errorMessage(error), epoch },
          'could not start leading; standing by and releasing the lease',
        )
        if (this.#tenure === tenure) await this.#stepDown('the leader term failed to start', epoch)
        return undefined
      },
    )
  }

  /**
   * Stop acting at once: drop the lease locally, abort the term's work in flight (fetches, sends), stop its
   * components, and stand by. Only the given epoch's tenure, when one is named.
   */
  async #stepDown(reason: string, epoch?: number): Promise<void> {
    const tenure = this.#tenure
    if (!tenure || (epoch !== undefined && tenure.epoch !== epoch)) return
    this.#tenure = undefined
    this.#disarm()
    this.opts.lease.drop()
    tenure.lost.abort()
    this.#setRole('standby')
    this.opts.logger.warn(
      { epoch: tenure.epoch, reason },
      `lost the leader lease (${reason}): stopped polling and delivering; standing by`,
    )
    const term = await tenure.starting
    await term?.stop()
    // What the term's components reported about Seam and the state was about that term.
    for (const part of ['seam', 'state', 'loop'] as const) this.opts.health.ok(part)
    // Still ours in the row (it expired locally, or the term failed): give it up so another replica need not wait
    // for the database's expiry. Best effort: the row may be unreachable, or already taken over.
    await this.opts.lease.release(tenure.epoch).catch(() => false)
  }

  /** Step down when the local validity ends, even while a renewal hangs. */
  #arm(): void {
    this.#disarm()
    const epoch = this.#tenure?.epoch
    this.#watchdog = setTimeout(() => {
      if (!this.opts.lease.valid()) void this.#stepDown('the lease expired before it could be renewed', epoch)
      else this.#arm()
    }, this.opts.lease.remainingMs() + 1)
    this.#watchdog.unref()
  }

  #disarm(): void {
    clearTimeout(this.#watchdog)
    this.#watchdog = undefined
  }

  #setRole(role: Role): void {
    if (role !== this.#role) this.opts.metrics.haTransitions.inc({ to: role })
    this.#role = role
    this.#gauges()
  }

  #gauges(): void {
    this.opts.metrics.haLeader.set(this.#role === 'leader' ? 1 : 0)
    this.opts.metrics.haLeaseEpoch.set(this.#tenure?.epoch ?? this.opts.lease.lastSeen?.epoch ?? 0)
  }

  /** For /healthz: this replica's role and the lease as last seen. */
  report(): HaReport {
    const seen = this.opts.lease.lastSeen
    this.#gauges()
    return {
      role: this.#role,
      lease: {
        holder: seen?.holder ?? null,
        epoch: seen?.epoch ?? null,
        expiresAt: seen?.expiresAt ?? null,
        self: this.opts.lease.holder,
        leaderApiUrl: seen?.apiUrl ?? null,
      },
    }
  }
}

export interface HaReport {
  role: Role
  lease: {
    /** Who leads (null: nobody, the lease was released). */
    holder: string | null
    epoch: number | null
    /** On the database's clock. */
    expiresAt: string | null
    /** This replica's holder id. */
    self: string
    leaderApiUrl: string | null
  }
}
