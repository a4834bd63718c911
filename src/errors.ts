import { errorText } from './error-text.js'

/**
 * Coded errors. Every error a user can cause says where (file, JSON path), what was expected, and what to do.
 * `code` is a stable string union so callers and tests can branch on it without parsing messages.
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'CONFIG_ENV_MISSING'
  | 'STATE_CORRUPT'
  | 'STATE_LOCKED'
  | 'STATE_LOCK_LOST'
  | 'STATE_TOO_LARGE'
  | 'STATE_WRITE_FAILED'
  | 'STATE_FENCED' // a PostgreSQL write by a replica that no longer holds the leader lease (or its epoch)
  | 'STORE_UNAVAILABLE' // the PostgreSQL state store cannot be reached or refused the login
  | 'SEAM_AUTH'
  | 'SEAM_REQUEST'
  | 'DELIVERY_FAILED'
  | 'RESPONSE_TOO_LARGE' // an HTTP response body over its cap (capped-body.ts)
  | 'ABORTED' // cancelled by shutdown: not a failure, never retried, counted or dead-lettered
  | 'USAGE'

export class SeamAlertsError extends Error {
  readonly code: ErrorCode
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.name = 'SeamAlertsError'
  }
}

/** Is `error` a coded error with this code? Classify failures by code, never by class name. */
export function hasCode(error: unknown, code: ErrorCode): error is SeamAlertsError {
  return error instanceof SeamAlertsError && error.code === code
}

/** One problem in one input file: `file: JSON path: message`. */
export interface InputIssue {
  file: string
  path: string
  message: string
}

export function formatIssue(issue: InputIssue): string {
  return `${issue.file}: ${issue.path}: ${issue.message}`
}

/** Render a zod-style path (array of keys) as a JSON path: `$.seam.pollInterval`, `$.actions[0].to`. */
export function jsonPath(path: readonly PropertyKey[]): string {
  let out = '$'
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) out += `.${key}`
    else out += `[${JSON.stringify(String(key))}]`
  }
  return out
}

/** An error that lists every issue found in one or more input files. */
export class InputError extends SeamAlertsError {
  readonly issues: InputIssue[]
  constructor(code: ErrorCode, issues: InputIssue[], hint?: string) {
    const lines = issues.map(formatIssue)
    if (hint) lines.push(hint)
    super(code, lines.join('\n'))
    this.issues = issues
    this.name = 'InputError'
  }
}

/** An error's text for a log line or a health reason: scrubbed of secrets and capped (error-text.ts). */
export function errorMessage(error: unknown): string {
  return errorText(error instanceof Error ? error.message : String(error))
}
