import { describeLeader } from '../../state/postgres/lease-row.js'
import { formatSummary, humanBytes, summarizeState } from '../../state/summary.js'
import { terminalSafe, terminalSafeJson } from '../../terminal-text.js'
import { type StateLocation, snapshotDatabase } from './location.js'

/**
 * `state show` for a PostgreSQL state: the database (URL without its password, schema), the document's size on
 * disk and write version, the leader lease, then the same summary as for a file. Reads only: nothing is created.
 */
export async function showPostgres(
  location: Extract<StateLocation, { kind: 'postgres' }>,
  json: boolean,
  io: { stdout: { write(text: string): unknown }; now: () => number },
): Promise<void> {
  const { state, version, bytes, lease } = await snapshotDatabase(location)
  const store = { url: location.target.redacted, schema: location.postgres.schema }
  const leader = lease?.live
    ? {
        running: true,
        holder: lease.holder,
        epoch: lease.epoch,
        apiUrl: lease.apiUrl,
        expiresAt: lease.expiresAt?.toISOString() ?? null,
      }
    : { running: false, ...(lease ? { epoch: lease.epoch } : {}) }
  if (!state) {
    if (json)
      io.stdout.write(`${JSON.stringify({ file: store.url, ...store, exists: false, daemon: leader })}\n`)
    else
      io.stdout.write(
        `No state in ${location.label} yet: the daemon will start fresh (from seam.startFrom).\n`,
      )
    return
  }
  const summary = summarizeState(state, io.now())
  if (json) {
    const body = { file: store.url, ...store, exists: true, bytes, version, daemon: leader, ...summary }
    io.stdout.write(terminalSafeJson(`${JSON.stringify(body, null, 2)}\n`))
    return
  }
  const lines = [
    `State         ${location.label} (${humanBytes(bytes ?? 0)} stored, version ${version ?? 0})`,
    `Leader        ${lease?.live ? `running: ${describeLeader(lease)}, epoch ${lease.epoch}` : 'none (no replica holds the lease)'}`,
    ...formatSummary(summary),
  ]
  io.stdout.write(terminalSafe(`${lines.join('\n')}\n`))
}
