import type { PgClient, PgDatabase } from './database.js'

/** The leader lease row as the state store and the CLI see it. The lease itself is managed elsewhere. */
export interface LeaseRow {
  holder: string | null
  /** Fencing epoch: bumped by every takeover. */
  epoch: number
  expiresAt: Date | null
  /** The leader's local API (`http://host:port`), when it serves one. */
  apiUrl: string | null
  /** Is a holder named and its lease not yet expired (by the database's clock)? */
  live: boolean
}

/** `FOR SHARE` (a fenced write), `FOR UPDATE` (an exclusive write) or no lock (a read). */
export type LeaseLock = 'FOR SHARE' | 'FOR UPDATE' | ''

/** Read the lease row (on `client` inside a transaction, or on the pool). Null only before migration 1. */
export async function readLease(
  db: PgDatabase,
  client?: PgClient,
  lock: LeaseLock = '',
): Promise<LeaseRow | null> {
  const sql = `SELECT holder, epoch::text AS epoch, expires_at, api_url,
      (holder IS NOT NULL AND expires_at IS NOT NULL AND expires_at > now()) AS live
    FROM ${db.table('lease')} WHERE id = 1 ${lock}`
  const result = client ? await client.query(sql) : await db.query(sql)
  const row = result.rows[0] as
    | { holder: string | null; epoch: string; expires_at: Date | null; api_url: string | null; live: boolean }
    | undefined
  if (!row) return null
  return {
    holder: row.holder,
    epoch: Number(row.epoch),
    expiresAt: row.expires_at,
    apiUrl: row.api_url,
    live: row.live,
  }
}

/** "replica host-a:1234 (API http://10.0.0.5:9464), lease until 2026-...": for messages. */
export function describeLeader(lease: LeaseRow): string {
  const api = lease.apiUrl ? ` (API ${lease.apiUrl})` : ' (no local API)'
  const until = lease.expiresAt ? `, lease until ${lease.expiresAt.toISOString()}` : ''
  return `${lease.holder ?? 'nobody'}${api}${until}`
}
