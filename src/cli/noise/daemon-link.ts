import { connectUrl, readApiAddress } from '../../daemon/api/address-file.js'
import { errorMessage } from '../../errors.js'
import { describeOwner, type LockOwner, lockStatus } from '../../state/lock.js'
import { describeLeader } from '../../state/postgres/lease-row.js'
import { liveLeader } from '../state/location.js'
import { CliFailure } from './failure.js'
import type { NoiseCliSettings } from './settings.js'

/** Longest wait for one API answer (a write waits for the state to be saved). */
const REQUEST_TIMEOUT_MS = 15_000

export interface ApiAnswer {
  status: number
  body: unknown
}

/** The running daemon: who holds the state lock, and its local API (when it can be reached). */
export interface RunningDaemon {
  owner: LockOwner | undefined
  /** A PostgreSQL leader, described (holder, API, lease expiry). */
  leader?: string
  /** Where its API listens; undefined when it cannot be known (`"server": false`, or port 0 and no address file). */
  url: string | undefined
}

/**
 * Is a daemon running on this state file, and where is its API? The state lock decides whether it runs (the
 * same check `state show` makes). Its address comes from `<state>.api`, which the daemon writes once it listens
 * (trusted only when written by the lock's owner); failing that, from the config's `server.host`/`server.port`.
 */
export async function findDaemon(settings: NoiseCliSettings): Promise<RunningDaemon | undefined> {
  if (settings.state.kind === 'postgres') {
    // PostgreSQL: the leader that holds a live lease, at the API address it recorded in the lease row.
    const leader = await liveLeader(settings.state)
    if (!leader) return undefined
    return { owner: undefined, leader: describeLeader(leader), url: leader.apiUrl ?? undefined }
  }
  const lock = await lockStatus(settings.stateFile)
  if (!lock.locked) return undefined
  const address = await readApiAddress(settings.stateFile)
  if (address && (!lock.owner || address.pid === lock.owner.pid))
    return { owner: lock.owner, url: address.url }
  if (settings.server === false || settings.server.port === 0) return { owner: lock.owner, url: undefined }
  return { owner: lock.owner, url: connectUrl(settings.server.host, settings.server.port) }
}

/** The daemon runs and its API cannot be used. */
export class DaemonUnreachable extends CliFailure {}

/** Why the CLI will not go on: the daemon runs, and its API cannot be used. Never write behind its back. */
export function unreachable(settings: NoiseCliSettings, daemon: RunningDaemon, why: string): CliFailure {
  const who = daemon.leader ?? describeOwner(daemon.owner).replace(/^another /, '')
  const what = settings.state.kind === 'postgres' ? 'The state' : 'The state file'
  return new DaemonUnreachable(
    `the daemon is running (${who}) on ${settings.stateFile}, and ${why}. ` +
      `${what} is not changed behind a running daemon: fix that, or stop the daemon and run this again.`,
  )
}

/** One request to the daemon's API. A network failure is a CliFailure naming the URL. */
export async function callApi(
  settings: NoiseCliSettings,
  daemon: RunningDaemon,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  opts: { body?: unknown; token?: string } = {},
): Promise<ApiAnswer> {
  if (!daemon.url) {
    const why =
      daemon.leader !== undefined
        ? 'it recorded no local API address in the lease (its "server" is false)'
        : settings.server === false
          ? 'its local API is off ("server": false in the config)'
          : 'its local API address is unknown (server.port is 0 and it recorded no address)'
    throw unreachable(settings, daemon, why)
  }
  const headers: Record<string, string> = { accept: 'application/json' }
  if (opts.body !== undefined) headers['content-type'] = 'application/json'
  if (opts.token) headers.authorization = `Bearer ${opts.token}`
  let res: Response
  try {
    res = await fetch(`${daemon.url}${path}`, {
      method,
      headers,
      ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    })
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? errorMessage(error)
    throw unreachable(settings, daemon, `its local API at ${daemon.url} cannot be reached (${cause})`)
  }
  const text = await res.text()
  let body: unknown = text
  try {
    body = JSON.parse(text)
  } catch {
    // not JSON: kept as text for the error message
  }
  return { status: res.status, body }
}

/** The `error` text of a non-2xx answer. */
export function apiErrorText(answer: ApiAnswer): string {
  const body = answer.body as { error?: unknown } | string
  const text = typeof body === 'object' && body && typeof body.error === 'string' ? body.error : String(body)
  return `the daemon's API answered ${answer.status}: ${text.trim()}`
}
