import { hasCode, SeamAlertsError } from '../../errors.js'
import type { Logger } from '../../log.js'
import { silentLogger } from '../../log.js'
import { scrubDeep } from '../../secrets/scrub.js'
import { screenState } from '../../secrets/state-screen.js'
import { parseStateText } from '../state-file.js'
import type { State } from '../state-schema.js'
import type { Store } from '../store.js'
import type { PgClient, PgDatabase } from './database.js'
import { describeLeader, readLease } from './lease-row.js'
import { describePgError, storeUnavailable } from './target.js'

/**
 * The writer's claim to the lease (fenced mode): its holder id and the epoch it holds now, or undefined while it
 * holds none (it lost the lease or never had it).
 */
export interface StoreFence {
  holder: string
  epoch(): number | undefined
}

export interface PostgresStoreOptions {
  logger?: Logger
  /**
   * Fenced mode (the daemon's leader): every save checks, in its transaction and under `FOR SHARE` on the lease
   * row, that this holder still holds this epoch, else throws STATE_FENCED. Without a fence: exclusive mode (the
   * CLI): every save takes the lease row `FOR UPDATE` and throws STATE_LOCKED while a live leader holds it.
   */
  fence?: StoreFence
  /** Close the database with the store (default false: whoever opened the database closes it). */
  ownsDatabase?: boolean
  /** What to tell a user whose exclusive write is refused because a live leader holds the lease. */
  lockedHint?: string
}

/** How to recover from a damaged or refused state document, spelled out in every STATE_CORRUPT message. */
export function pgRecoveryHint(db: PgDatabase): string {
  return [
    'seam-alerts never starts from scratch on its own (that would re-send or skip alerts). To recover, either:',
    '  restore the database (or just the schema) from your PostgreSQL backup, or',
    '  seam-alerts state import --from <an exported state.json> --config <config>      # a known good state',
    '  seam-alerts state reset --from now --config <config>      # start fresh: events before now are not alerted',
    `(the document is ${db.table('state')}.doc)`,
  ].join('\n')
}

/**
 * The whole State as one JSONB document in `state` (one row), loaded through the same migration and schema check
 * as the JSON file (STATE_CORRUPT on damage). Every save is one transaction that also checks who may write (see
 * PostgresStoreOptions.fence) and that nobody else wrote since this store last read or wrote the row (its
 * `version`): a lost update is refused rather than made. A failed save leaves the row as it was.
 */
export class PostgresStore implements Store {
  lastSaveBytes: number | undefined
  /** The row version this store last read or wrote: null = no row yet, undefined = not read (no check). */
  private known: number | null | undefined
  private chain: Promise<unknown> = Promise.resolve()
  private closed = false
  private readonly logger: Logger
  private readonly reportedSecretPaths = new Set<string>()

  constructor(
    readonly db: PgDatabase,
    private readonly opts: PostgresStoreOptions = {},
  ) {
    this.logger = opts.logger ?? silentLogger
  }

  /** "PostgreSQL at host:port/db, schema s": what messages call this store. */
  get label(): string {
    return `in PostgreSQL at ${this.db.target.label}, schema ${this.db.schema}`
  }

  /** The version of the state row after the last load or save (null: none yet). */
  get version(): number | null | undefined {
    return this.known
  }

  async load(): Promise<State | null> {
    let row: { doc: string; version: string } | undefined
    try {
      const result = await this.db.query<{ doc: string; version: string }>(
        `SELECT doc::text AS doc, version::text AS version FROM ${this.db.table('state')} WHERE id = 1`,
      )
      row = result.rows[0]
    } catch (error) {
      if (error instanceof SeamAlertsError) throw error
      throw storeUnavailable(this.db.target, error, 'reading the state')
    }
    if (!row) {
      this.known = null
      return null
    }
    const state = parseStateText(row.doc, this.label, pgRecoveryHint(this.db))
    this.known = Number(row.version)
    return state
  }

  save(state: State, json?: Buffer): Promise<void> {
    const run = this.chain.then(() => this.write(state, json))
    this.chain = run.catch(() => {})
    return run
  }

  private async write(state: State, json: Buffer | undefined): Promise<void> {
    if (this.closed)
      throw new SeamAlertsError('STATE_WRITE_FAILED', `State ${this.label}: the store is closed`)
    const screen = screenState(state)
    if (screen.keys.length > 0) {
      const message = `Refusing to write the state ${this.label}: it would contain secret-like keys at ${screen.keys.join(', ')} (a bug: secrets must never be persisted)`
      this.logger.error({ store: this.db.target.label }, message)
      throw new SeamAlertsError('STATE_WRITE_FAILED', message)
    }
    const stored = screen.values.length > 0 ? this.scrubbed(state, screen.values) : state
    const text = (stored === state && json ? json.toString('utf8') : JSON.stringify(stored)).trimEnd()
    let version: number
    try {
      version = await this.db.transaction((client) => this.writeRow(client, text))
    } catch (error) {
      if (hasCode(error, 'STATE_FENCED') || hasCode(error, 'STATE_LOCKED')) throw error
      const message = `Could not write the state ${this.label} (${describePgError(this.db.target, error)}). The previous state is intact; keeping it and retrying on the next write.`
      this.logger.error({ store: this.db.target.label }, message)
      throw new SeamAlertsError('STATE_WRITE_FAILED', message, {
        cause: hasCode(error, 'STORE_UNAVAILABLE')
          ? error
          : storeUnavailable(this.db.target, error, 'writing the state'),
      })
    }
    this.known = version
    this.lastSaveBytes = Buffer.byteLength(text)
  }

  /** Inside the save's transaction: check who may write and that the row is the one last seen, then write it. */
  private async writeRow(client: PgClient, text: string): Promise<number> {
    const epoch = await this.mayWrite(client)
    const state = this.db.table('state')
    const current = await client.query<{ version: string }>(
      `SELECT version::text AS version FROM ${state} WHERE id = 1 FOR UPDATE`,
    )
    const found = current.rows[0] ? Number(current.rows[0].version) : null
    if (this.known !== undefined && found !== this.known) this.refuseChanged(found)
    const written = await client.query<{ version: string }>(
      `INSERT INTO ${state} (id, doc, version, epoch, updated_at) VALUES (1, $1::jsonb, 1, $2, now())
       ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc, version = ${state}.version + 1,
         epoch = EXCLUDED.epoch, updated_at = EXCLUDED.updated_at,
         previous_doc = ${state}.doc, previous_updated_at = ${state}.updated_at
       RETURNING version::text AS version`,
      [text, epoch],
    )
    return Number(written.rows[0]!.version)
  }

  /**
   * `state restore`: make the previous generation current again (validated first), keeping the replaced one as the
   * previous, like the file store's `.bak`. Exclusive mode only (refused while a leader runs). Returns the restored
   * state and when it had been written; throws USAGE when there is no previous generation, STATE_CORRUPT when it
   * does not validate.
   */
  async restorePrevious(): Promise<{ state: State; writtenAt: string }> {
    if (this.opts.fence) throw new Error('restorePrevious is for the CLI (exclusive mode)')
    const table = this.db.table('state')
    const restored = await this.db.transaction(async (client) => {
      await this.mayWrite(client)
      const row = (
        await client.query<{ doc: string | null; at: Date | null }>(
          `SELECT previous_doc::text AS doc, previous_updated_at AS at FROM ${table} WHERE id = 1 FOR UPDATE`,
        )
      ).rows[0]
      if (!row?.doc) {
        throw new SeamAlertsError(
          'USAGE',
          `State ${this.label} has no previous generation to restore (none is kept until the state has been written twice). To start fresh: seam-alerts state reset --from now; or write a known good state with seam-alerts state import --from <state.json>.`,
        )
      }
      const state = parseStateText(
        row.doc,
        `${this.label} (previous generation)`,
        'The previous generation cannot be used. Start fresh instead: seam-alerts state reset --from now',
      )
      const written = await client.query<{ version: string }>(
        `UPDATE ${table} SET doc = previous_doc, previous_doc = doc, updated_at = now(),
           previous_updated_at = updated_at, version = version + 1 WHERE id = 1 RETURNING version::text AS version`,
      )
      this.known = Number(written.rows[0]!.version)
      return { state, writtenAt: row.at ? row.at.toISOString() : 'unknown' }
    })
    return restored
  }

  /** The epoch to stamp the write with, or a refusal (STATE_FENCED, STATE_LOCKED). */
  private async mayWrite(client: PgClient): Promise<number> {
    const fence = this.opts.fence
    const lease = await readLease(this.db, client, fence ? 'FOR SHARE' : 'FOR UPDATE')
    if (!lease) throw new Error(`the lease row of ${this.db.table('lease')} is missing`)
    if (fence) {
      const mine = fence.epoch()
      if (mine === undefined || lease.holder !== fence.holder || lease.epoch !== mine) {
        throw new SeamAlertsError(
          'STATE_FENCED',
          `State ${this.label} not written: this replica (${fence.holder}, epoch ${mine ?? 'none'}) no longer holds the leader lease (held by ${lease.holder ?? 'nobody'}, epoch ${lease.epoch}).`,
        )
      }
      return mine
    }
    if (lease.live) {
      throw new SeamAlertsError(
        'STATE_LOCKED',
        `State ${this.label} is in use: a running seam-alerts leads (${describeLeader(lease)}). ${this.opts.lockedHint ?? 'Stop it, or wait until its lease expires, and try again.'}`,
      )
    }
    return lease.epoch
  }

  private refuseChanged(found: number | null): never {
    const what = `State ${this.label} was written by another process since this one read it (version ${this.known ?? 'none'}, now ${found ?? 'none'})`
    if (this.opts.fence) throw new SeamAlertsError('STATE_FENCED', `${what}: not overwriting it.`)
    throw new SeamAlertsError('STATE_LOCKED', `${what}: not overwriting it. Run the command again.`)
  }

  /** A copy of `state` with every configured secret value replaced (logged once per set of paths, never the value). */
  private scrubbed(state: State, paths: string[]): State {
    const key = paths.join(', ')
    if (!this.reportedSecretPaths.has(key)) {
      this.reportedSecretPaths.add(key)
      this.logger.error(
        { store: this.db.target.label, paths },
        'a configured secret value was about to be written to the state: written as [redacted] instead (a bug: please report it)',
      )
    }
    return scrubDeep(state) as State
  }

  async close(): Promise<void> {
    if (this.closed) return
    await this.chain
    this.closed = true
    if (this.opts.ownsDatabase) await this.db.close()
  }
}
