import { parseRetryAfter } from '../retry-after.js'
import { DeliveryError } from './notifier.js'

/**
 * The one place Slack failures (Web API and incoming webhooks) are classified.
 * Retryable: rate limits (429/`ratelimited`, with Retry-After), 5xx, timeouts, network errors, and a 200 whose body
 * is not Slack's JSON (HTML from a proxy or captive portal) or is too large to read.
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

/** What a Slack error code looks like (`channel_not_found`, `invalid_auth`): anything else is not Slack talking. */
const SLACK_ERROR_CODE = /^[a-z0-9_.]{1,80}$/

/**
 * A 200 whose body is not Slack's JSON (an HTML page, a truncated or empty body): the Web API client reports it as
 * `{ ok: false, error: <the whole body> }`. Something between us and Slack answered (a proxy, a captive portal, a
 * load balancer's error page): it may be gone on the next try, so it is retryable, and the message says what came
 * back, briefly (never the whole body: it can be megabytes).
 */
export function notSlackAnswer(body: string): string {
  const trimmed = body.trim()
  const kind = /^</.test(trimmed)
    ? 'an HTML page'
    : trimmed === ''
      ? 'an empty body'
      : 'a body that is not JSON'
  const preview = trimmed.replace(/\s+/g, ' ').slice(0, 120)
  return `Slack's address answered with ${kind} (${body.length} chars${preview ? `: ${JSON.stringify(preview)}` : ''}), not Slack's JSON: a proxy or captive portal in the way? Will retry`
}

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
      const raw = e.data?.error
      if (typeof raw !== 'string' || !SLACK_ERROR_CODE.test(raw)) {
        return new DeliveryError(`slack: ${notSlackAnswer(typeof raw === 'string' ? raw : '')}`, {
          retryable: true,
          cause: error,
        })
      }
      const code = raw
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
