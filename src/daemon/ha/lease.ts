import { escapeIdentifier } from 'pg'
import { type Monotonic, systemMonotonic } from './monotonic.js'

/** What the lease needs of a database connection: `pg.Pool` and `pg.Client` fit. */
export interface LeaseSql {
  query<R extends object>(text: string, values?: unknown[]): Promise<{ rows: R[] }>
}

/** The lease row as read (for /healthz, the CLI and a standby's log lines). */
export interface LeaseRow {
  holder: string | null
  epoch: number
  /** ISO time on the database's clock; null when released. */
  expiresAt: string | null
  /** The leader's local API/health URL, when it serves one. */
  apiUrl: string | null
}

interface RawRow {
  holder: string | null
  epoch: string | number
  expires_at: Date | null
  api_url: string | null
}

export interface LeaseOptions {
  db: LeaseSql
  /** The PostgreSQL schema holding the `lease` table (`postgres.schema`). */
  schema: string
  /** This process's unique name (holder-id.ts). */
  holder: string
  ttlMs: number
  /**
   * How much earlier than the TTL the lease stops being valid locally (default a tenth of it): room for the
   * time between the check and the act, and for the two clocks' rates. Must be below the TTL.
   */
  marginMs?: number
  mono?: Monotonic
  /** This replica's local API URL, written with each acquisition (undefined: no server). */
  apiUrl?: () => string | undefined
}

/**
 * The leader lease: ONE row (`lease`, id 1) holding the holder, a fencing epoch and an expiry on the database's
 * clock. Whoever takes the row bumps the epoch; every state write of a leader is conditional on the row still
 * holding its name and epoch (the store's fence), so a replica that lost the lease can no longer record anything.
 *
 * Validity is judged twice:
 * - in the database, by `expires_at` (the database's clock): a standby may take the row once it has passed;
 * - locally, on this process's MONOTONIC clock: valid while `now < renewStartedAt + ttl - margin`, where
 *   renewStartedAt is when the last successful acquire or renew was SENT. The database computed its expiry from
 *   a later instant (the statement's start), so the local end always comes first: a leader stops acting before
 *   any standby can start. A process frozen past its lease (SIGSTOP, a VM pause, a stop-the-world pause) sees its
 *   lease expired on its first check after waking, whatever its timers do.
 */
export class Lease {
  readonly holder: string
  readonly #opts: LeaseOptions
  readonly #mono: Monotonic
  readonly #margin: number
  readonly #table: string
  #epoch: number | undefined
  #validUntil = Number.NEGATIVE_INFINITY
  #seen: LeaseRow | undefined

  constructor(opts: LeaseOptions) {
    if (!(opts.ttlMs > 0)) throw new RangeError('the lease TTL must be positive')
    this.#opts = opts
    this.holder = opts.holder
    this.#mono = opts.mono ?? systemMonotonic
    this.#margin = opts.marginMs ?? opts.ttlMs / 10
    if (this.#margin < 0 || this.#margin >= opts.ttlMs)
      throw new RangeError('the lease margin must be below the TTL')
    this.#table = `${escapeIdentifier(opts.schema)}.lease`
  }

  /** The epoch this process holds (acquired and neither lost nor released), valid or not. */
  get epoch(): number | undefined {
    return this.#epoch
  }

  /** The row as last seen by an acquire, renew or read (undefined before the first). */
  get lastSeen(): LeaseRow | undefined {
    return this.#seen
  }

  /** True while this process holds the lease AND it is still valid on the monotonic clock: the leader may act. */
  valid(): boolean {
    return this.#epoch !== undefined && this.#mono.now() < this.#validUntil
  }

  /** Milliseconds of local validity left (0 when not valid). */
  remainingMs(): number {
    return this.#epoch === undefined ? 0 : Math.max(0, this.#validUntil - this.#mono.now())
  }

  /**
   * Take the lease if it is free (released, expired on the database's clock, or still ours from an earlier
   * term): the epoch goes up by one. Returns the new epoch, or undefined when another replica holds it.
   */
  async acquire(): Promise<number | undefined> {
    const sentAt = this.#mono.now()
    const { rows } = await this.#opts.db.query<RawRow>(
      `UPDATE ${this.#table}
          SET holder = $1, epoch = epoch + 1, expires_at = now() + $2 * interval '1 millisecond', api_url = $3
        WHERE id = 1 AND (holder IS NULL OR expires_at IS NULL OR expires_at <= now() OR holder = $1)
        RETURNING ${COLUMNS}`,
      [this.holder, this.#opts.ttlMs, this.#opts.apiUrl?.() ?? null],
    )
    const row = rows[0]
    if (!row) return undefined
    this.#seen = leaseRow(row)
    this.#epoch = this.#seen.epoch
    this.#validUntil = sentAt + this.#opts.ttlMs - this.#margin
    return this.#epoch
  }

  /**
   * Extend the lease by a TTL from now. True when renewed; false when the row no longer holds this process's
   * name and epoch (another replica took it over): the lease is then dropped locally. A query that fails throws
   * and changes nothing locally: the lease stays valid until its local end, and the caller may try again.
   */
  async renew(): Promise<boolean> {
    const epoch = this.#epoch
    if (epoch === undefined) return false
    const sentAt = this.#mono.now()
    const { rows } = await this.#opts.db.query<RawRow>(
      `UPDATE ${this.#table} SET expires_at = now() + $3 * interval '1 millisecond'
        WHERE id = 1 AND holder = $1 AND epoch = $2
        RETURNING ${COLUMNS}`,
      [this.holder, epoch, this.#opts.ttlMs],
    )
    if (this.#epoch !== epoch) return false // dropped meanwhile
    const row = rows[0]
    if (!row) {
      this.drop()
      return false
    }
    this.#seen = leaseRow(row)
    this.#validUntil = sentAt + this.#opts.ttlMs - this.#margin
    return true
  }

  /** Stop acting on the lease at once (lost, or about to be released). The row is left as it is. */
  drop(): void {
    this.#epoch = undefined
    this.#validUntil = Number.NEGATIVE_INFINITY
  }

  /**
   * Give the lease up (a clean stop, or stepping down), so a standby takes over on its next try instead of
   * waiting for the TTL. Only clears the row while it still holds this process's name and `epoch` (default: the
   * one held now). Drops the lease locally first.
   */
  async release(epoch = this.#epoch): Promise<boolean> {
    this.drop()
    if (epoch === undefined) return false
    const { rows } = await this.#opts.db.query(
      `UPDATE ${this.#table} SET holder = NULL, expires_at = NULL, api_url = NULL
        WHERE id = 1 AND holder = $1 AND epoch = $2
        RETURNING epoch`,
      [this.holder, epoch],
    )
    return rows.length > 0
  }

  /** The row as it is now (who leads, until when, where its API is). */
  async read(): Promise<LeaseRow> {
    this.#seen = await readLease(this.#opts.db, this.#opts.schema)
    return this.#seen
  }
}

/** Read the lease row of `schema` (for the CLI to find the leader's API, and for /healthz). */
export async function readLease(db: LeaseSql, schema: string): Promise<LeaseRow> {
  const { rows } = await db.query<RawRow>(
    `SELECT ${COLUMNS} FROM ${escapeIdentifier(schema)}.lease WHERE id = 1`,
  )
  const row = rows[0]
  if (!row)
    throw new Error(`the lease row is missing from ${schema}.lease: the schema's migrations did not run`)
  return leaseRow(row)
}

const COLUMNS = 'holder, epoch, expires_at, api_url'

function leaseRow(row: RawRow): LeaseRow {
  return {
    holder: row.holder,
    epoch: Number(row.epoch),
    expiresAt: row.expires_at ? new Date(row.expires_at).toISOString() : null,
    apiUrl: row.api_url,
  }
}
