import { SeamAlertsError } from '../errors.js'

/** One failed request to Seam. `retryable` says whether trying again can help; `cause` text never holds secrets. */
export class SeamRequestError extends SeamAlertsError {
  readonly retryable: boolean
  readonly status: number | undefined
  readonly retryAfterMs: number | undefined
  constructor(
    message: string,
    opts: { retryable: boolean; status?: number; retryAfterMs?: number; cause?: unknown },
  ) {
    super('SEAM_REQUEST', message, opts.cause === undefined ? undefined : { cause: opts.cause })
    this.name = 'SeamRequestError'
    this.retryable = opts.retryable
    this.status = opts.status
    this.retryAfterMs = opts.retryAfterMs
  }
}

/**
 * Seam could not be read this poll (retries exhausted, or a request Seam refused for good). The checkpoint passed
 * to the source is untouched: report unhealthy and try again next poll.
 */
export class SourceUnavailableError extends SeamAlertsError {
  readonly attempts: number
  constructor(message: string, opts: { attempts: number; cause?: unknown }) {
    super('SEAM_REQUEST', message, opts.cause === undefined ? undefined : { cause: opts.cause })
    this.name = 'SourceUnavailableError'
    this.attempts = opts.attempts
  }
}

/** The error for a rejected API key (401/403): never retried. */
export function authError(status: number): SeamAlertsError {
  return new SeamAlertsError(
    'SEAM_AUTH',
    `Seam rejected the API key (${status}): check seam.apiKey / SEAM_API_KEY`,
  )
}
