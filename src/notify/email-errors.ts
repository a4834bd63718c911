import { DeliveryError } from './notifier.js'

/** Connection-level failures with no SMTP reply: the server may be back later. */
const RETRYABLE_CODES = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'ETLS',
  'EPROTOCOL',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'EMAXLIMIT',
])
const PERMANENT_CODES = new Set(['ECONFIG', 'ENOAUTH', 'EMAXRECIPIENTS', 'EREQUIRETLS'])

/** SMTP classification: 4xx replies and connection errors are retryable, 5xx replies are permanent. */
export function classifyEmailError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error
  const e = (error ?? {}) as { responseCode?: number; code?: string; message?: string }
  const message = typeof e.message === 'string' ? e.message : String(error)
  if (typeof e.responseCode === 'number') {
    return new DeliveryError(`smtp: ${message}`, {
      retryable: e.responseCode >= 400 && e.responseCode < 500,
      cause: error,
    })
  }
  if (e.code && PERMANENT_CODES.has(e.code)) {
    return new DeliveryError(`smtp: ${message}`, { retryable: false, cause: error })
  }
  // Connection errors (RETRYABLE_CODES) and anything else without an SMTP reply: the worker retries up to
  // delivery.maxAttempts, then dead-letters, so an unknown failure is never dropped.
  const kind = e.code && RETRYABLE_CODES.has(e.code) ? 'connection' : 'unexpected'
  return new DeliveryError(`smtp (${kind}): ${message}`, { retryable: true, cause: error })
}
