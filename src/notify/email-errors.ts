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

/**
 * STARTTLS required (email.smtp.requireTLS, the default with a login) and the server does not do it: permanent, as
 * no retry changes it; the message says how to fix the setup. The password was not sent.
 */
const NO_STARTTLS =
  'the SMTP server does not offer STARTTLS, so the connection cannot be encrypted and the login (password) was not sent. Fix: use the server\'s TLS port with "secure": true (usually 465), or enable STARTTLS on the server; or, only on a trusted network, set "email.smtp.allowInsecureAuth": true to send the password unencrypted'

/** The TLS handshake failed (certificate not trusted, wrong host name, old TLS version): retryable, with a hint. */
const TLS_HINT =
  'check the server certificate; for a private CA set "email.smtp.tls.ca", for a certificate issued to another name "email.smtp.tls.servername"'

/** SMTP classification: 4xx replies and connection errors are retryable, 5xx replies are permanent. */
export function classifyEmailError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error
  const e = (error ?? {}) as {
    responseCode?: number
    code?: string
    originalCode?: string
    message?: string
    command?: string
  }
  const message = typeof e.message === 'string' ? e.message : String(error)
  if (e.code === 'ETLS' && e.command === 'STARTTLS' && typeof e.responseCode === 'number') {
    return new DeliveryError(`smtp: ${NO_STARTTLS} (server said: ${message})`, {
      retryable: false,
      cause: error,
    })
  }
  const certificate = /CERT|SELF_SIGNED|UNABLE_TO|TLS|SSL/.test(e.originalCode ?? '')
  if ((e.code === 'ETLS' || certificate) && typeof e.responseCode !== 'number') {
    return new DeliveryError(`smtp (tls): ${message}; ${TLS_HINT}`, { retryable: true, cause: error })
  }
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
