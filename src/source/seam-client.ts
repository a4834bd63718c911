import { abortedError } from '../abort.js'
import { ResponseTooLargeError, readCappedText } from '../capped-body.js'
import type { Logger } from '../log.js'
import { silentLogger } from '../log.js'
import { parseRetryAfter } from '../retry-after.js'
import { authError, SeamRequestError } from './errors.js'

export interface SeamClientOptions {
  endpoint: string
  apiKey: string
  requestTimeoutMs: number
  fetch?: typeof fetch
  logger?: Logger
  /** For Retry-After dates (default Date.now). */
  now?: () => number
  /** Largest response body read (default MAX_SEAM_RESPONSE). */
  maxResponseBytes?: number
}

/**
 * Largest Seam API response body read: 64 MiB. A page of 500 events is typically well under 1 MB, but events
 * carry user metadata, so the cap is generous; it still keeps a runaway or hostile answer from taking gigabytes.
 */
export const MAX_SEAM_RESPONSE = 64 * 1024 ** 2

export interface SeamDevice {
  device_id: string
  display_name?: string
  properties?: { name?: string }
}

class Timeout extends Error {}

/** Error codes of a dropped or refused connection (retryable). */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
])

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause
  const code = cause?.code
  const detail = cause?.message ?? (error as Error).message ?? String(error)
  return code && !detail.includes(code) ? `${code}: ${detail}` : detail
}

/**
 * One-request-at-a-time client for the Seam HTTP API (POST with a Bearer key). It never retries and never logs the
 * key: it classifies each failure as a SeamRequestError (retryable or not) or the SEAM_AUTH error.
 */
export class SeamClient {
  readonly endpoint: string
  readonly #apiKey: string
  readonly #timeoutMs: number
  readonly #fetch: typeof fetch
  readonly #now: () => number
  readonly #maxBody: number
  readonly logger: Logger

  constructor(opts: SeamClientOptions) {
    this.endpoint = opts.endpoint.replace(/\/+$/, '')
    this.#apiKey = opts.apiKey
    this.#timeoutMs = opts.requestTimeoutMs
    this.#fetch = opts.fetch ?? globalThis.fetch
    this.#now = opts.now ?? Date.now
    this.#maxBody = opts.maxResponseBytes ?? MAX_SEAM_RESPONSE
    this.logger = opts.logger ?? silentLogger
  }

  /**
   * One POST; resolves with the parsed JSON body of a 2xx answer. `signal` (shutdown) cancels it: the request and
   * its socket end at once and it rejects with ABORTED.
   */
  async post<T = unknown>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) throw abortedError(`POST ${path}`, signal)
    const controller = new AbortController()
    const timer = setTimeout(
      () => controller.abort(new Timeout(`no answer within ${this.#timeoutMs} ms`)),
      this.#timeoutMs,
    )
    const cancel = () => controller.abort(abortedError(`POST ${path}`, signal))
    signal?.addEventListener('abort', cancel, { once: true })
    try {
      let response: Response
      try {
        response = await this.#fetch(`${this.endpoint}${path}`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${this.#apiKey}`,
            'content-type': 'application/json',
            accept: 'application/json',
          },
          body: JSON.stringify(body),
          signal: controller.signal,
        })
      } catch (error) {
        throw this.#transportError(error, controller, 'request')
      }
      let text: string
      try {
        text = await readCappedText(response, this.#maxBody)
      } catch (error) {
        if (error instanceof ResponseTooLargeError) {
          throw new SeamRequestError(
            `HTTP ${response.status} from ${path}: ${error.message}; if this is a page of events, lower seam.pageSize`,
            { retryable: true, status: response.status },
          )
        }
        throw this.#transportError(error, controller, 'body')
      }
      const status = response.status
      if (status === 401 || status === 403) throw authError(status)
      if (status < 200 || status >= 300) {
        const retryable = status === 429 || status === 408 || status >= 500
        const retryAfterMs =
          status === 429 || status === 503
            ? parseRetryAfter(response.headers.get('retry-after'), this.#now())
            : undefined
        throw new SeamRequestError(`HTTP ${status} from ${path}${errorSummary(text)}`, {
          retryable,
          status,
          ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        })
      }
      try {
        return JSON.parse(text) as T
      } catch {
        throw new SeamRequestError(
          `HTTP ${status} from ${path} with a body that is not JSON (${text.length} chars)`,
          {
            retryable: true,
            status,
          },
        )
      }
    } finally {
      clearTimeout(timer)
      signal?.removeEventListener('abort', cancel)
    }
  }

  /** A device's names, or undefined when Seam does not know it. Network trouble throws (callers fall back to the id). */
  async getDevice(deviceId: string): Promise<SeamDevice | undefined> {
    try {
      const body = await this.post<{ device?: SeamDevice }>('/devices/get', { device_id: deviceId })
      return body.device
    } catch (error) {
      if (error instanceof SeamRequestError && (error.status === 404 || error.status === 400))
        return undefined
      throw error
    }
  }

  #transportError(error: unknown, controller: AbortController, stage: 'request' | 'body'): Error {
    const reason: unknown = controller.signal.aborted ? controller.signal.reason : undefined
    if (reason instanceof Timeout) {
      return new SeamRequestError(`timeout: ${reason.message}`, { retryable: true })
    }
    if (reason instanceof Error) return reason // cancelled by shutdown (ABORTED)
    const detail = describeNetworkError(error)
    const code = (error as { cause?: { code?: string } }).cause?.code
    if (stage === 'body') {
      return new SeamRequestError(`truncated response body (${detail})`, { retryable: true, cause: error })
    }
    const known = code !== undefined && NETWORK_CODES.has(code)
    return new SeamRequestError(`connection failed (${detail})`, {
      retryable: known || error instanceof TypeError,
    })
  }
}

function errorSummary(text: string): string {
  if (text === '') return ' (empty body)'
  try {
    const parsed = JSON.parse(text) as { error?: { type?: string; message?: string } }
    if (parsed.error)
      return `: ${parsed.error.type ?? 'error'}: ${(parsed.error.message ?? '').slice(0, 200)}`
  } catch {
    // not JSON: fall through
  }
  return ` (${text.length} chars, not JSON)`
}
