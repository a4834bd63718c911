import { parseRetryAfter } from '../retry-after.js'
import { DeliveryError } from './notifier.js'

/**
 * The one place Slack failures (Web API and incoming webhooks) are classified.
 * Retryable: rate limits (429/`ratelimited`, with Retry-After), 5xx, timeouts, network errors.
 * Permanent: everything that will not fix itself (bad channel, bad token, archived, invalid payload, ...).
 */
const RETRYABLE_PLATFORM = new Set([
  'ratelimited',
  'rate_limited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'team_added_to_org',
])

interface SlackLikeError {
  code?: string
  message?: string
  data?: { error?: string; response_metadata?: { retryAfter?: number } }
  retryAfter?: number
  statusCode?: number
  headers?: Record<string, string>
  body?: unknown
  original?: unknown
}

export function classifySlackError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error
  const e = (error ?? {}) as SlackLikeError
  const message = typeof e.message === 'string' ? e.message : String(error)
  switch (e.code) {
    case 'slack_webapi_rate_limited_error':
      return new DeliveryError(`slack: rate limited (retry after ${e.retryAfter}s)`, {
        retryable: true,
        retryAfterMs: typeof e.retryAfter === 'number' ? e.retryAfter * 1000 : undefined,
        cause: error,
      })
    case 'slack_webapi_platform_error': {
      const code = e.data?.error ?? 'unknown_error'
      const retryAfter = e.data?.response_metadata?.retryAfter
      return new DeliveryError(`slack: ${code}`, {
        retryable: RETRYABLE_PLATFORM.has(code),
        retryAfterMs: typeof retryAfter === 'number' ? retryAfter * 1000 : undefined,
        cause: error,
      })
    }
    case 'slack_webapi_http_error':
    case 'slack_webhook_http_error': {
      const status = e.statusCode ?? 0
      const detail = typeof e.body === 'string' && e.body.length < 100 ? ` ${e.body}` : ''
      return new DeliveryError(`slack: HTTP ${status}${detail}`, {
        retryable: status === 429 || status === 408 || status >= 500,
        retryAfterMs: parseRetryAfter(e.headers?.['retry-after'], Date.now()),
        cause: error,
      })
    }
    case 'slack_webapi_request_error':
    case 'slack_webhook_request_error': {
      const original = e.original instanceof Error ? e.original.message : message
      return new DeliveryError(`slack: request failed (${original})`, { retryable: true, cause: error })
    }
  }
  // Web API 429 without a usable Retry-After header, or anything unexpected on the wire: try again later.
  return new DeliveryError(`slack: ${message}`, { retryable: true, cause: error })
}
