import { SeamAlertsError } from '../../errors.js'
import { scrubSecrets } from '../../secrets/scrub.js'

/** Does a `state` value name a PostgreSQL database (`postgres://` or `postgresql://`) rather than a file? */
export const isPostgresUrl = (value: string): boolean => /^postgres(?:ql)?:\/\//i.test(value.trim())

/** Where a PostgreSQL URL points, for messages: never its password. */
export interface PgTarget {
  host: string
  port: number
  database: string
  user: string
  /** `host:port/database`, e.g. `db.internal:5432/alerts`. */
  label: string
  /** The URL with its password replaced by `[redacted]` (for the start line and `state show`). */
  redacted: string
  /** The URL's password (decoded), if it has one: cut out of every error text this module makes. */
  password: string | undefined
}

/**
 * Parse a `postgres://user:pass@host:port/db?...` URL (as node-postgres reads it: port 5432, and the user name as
 * the database name, when absent). Throws a CONFIG_INVALID error that never echoes the URL.
 */
export function pgTarget(url: string): PgTarget {
  let parsed: URL
  try {
    parsed = new URL(url.trim())
  } catch {
    throw new SeamAlertsError(
      'CONFIG_INVALID',
      '"state": not a valid PostgreSQL URL (expected postgres://user:password@host:5432/database)',
    )
  }
  const decode = (text: string) => {
    try {
      return decodeURIComponent(text)
    } catch {
      return text
    }
  }
  const host = decode(parsed.hostname).replace(/^\[|\]$/g, '') || 'localhost'
  const port = parsed.port ? Number(parsed.port) : 5432
  const user = decode(parsed.username) || process.env.PGUSER || process.env.USER || 'postgres'
  const database = decode(parsed.pathname.replace(/^\//, '')) || user
  const password = parsed.password ? decode(parsed.password) : undefined
  const copy = new URL(parsed.href)
  if (copy.password) copy.password = 'redacted'
  const redacted = copy.href.replace(':redacted@', ':[redacted]@')
  return { host, port, database, user, label: `${host}:${port}/${database}`, redacted, password }
}

/** `text` without the target's password (raw or URL-encoded) and without any other configured secret. */
export function withoutPassword(target: PgTarget, text: string): string {
  let out = text
  const { password } = target
  if (password && password.length > 0) {
    for (const form of [password, encodeURIComponent(password)])
      if (form.length > 0) out = out.split(form).join('[redacted]')
  }
  return scrubSecrets(out)
}

/** node-postgres / libpq error codes that mean "cannot reach or log in to the database". */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, shutting down)
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '28000', // invalid_authorization_specification
  '28P01', // invalid_password
  '3D000', // invalid_catalog_name: the database does not exist
])

/** Is this a failure to reach, or stay connected to, the database (rather than a bad statement)? */
export function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true
  const message = error instanceof Error ? error.message : String(error)
  return /Connection terminated|timeout exceeded|timeout expired|connection error|not queryable|ECONNREFUSED/i.test(
    message,
  )
}

/** The cause of a database error in a few words: its code and message, without the password. */
export function describePgError(target: PgTarget, error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code
  const message = error instanceof Error ? error.message : String(error)
  const text = typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message
  return withoutPassword(target, text || 'unknown error')
}

/**
 * STORE_UNAVAILABLE: the database cannot be reached or refused the login. Names host, port, database and user,
 * never the password; says what to check.
 */
export function storeUnavailable(target: PgTarget, error: unknown, doing = 'connecting'): SeamAlertsError {
  return new SeamAlertsError(
    'STORE_UNAVAILABLE',
    `PostgreSQL state store at ${target.label} (user ${target.user}) is unavailable while ${doing}: ${describePgError(target, error)}. Check that the server runs and accepts connections from this host, and the user, password and database in "state".`,
    { cause: error },
  )
}

/** The `state` setting for logs and the start line: a file path as is, a PostgreSQL URL without its password. */
export function describeStateSetting(state: string): string {
  if (!isPostgresUrl(state)) return state
  try {
    return pgTarget(state).redacted
  } catch {
    return 'postgres://[unparseable URL]'
  }
}
