import { sleep, throwIfAborted } from '../abort.js'
import { errorMessage, hasCode } from '../errors.js'
import type { Logger } from '../log.js'
import { SeamRequestError, SourceUnavailableError } from './errors.js'

export interface RetryOptions {
  /** Attempts per request, the first included (default 5). */
  attempts?: number
  /** Backoff ceiling of the first retry (default 500 ms); doubles each retry. */
  baseMs?: number
  /** Largest backoff ceiling (default 30 s). */
  maxMs?: number
  /** Longest `Retry-After` honoured (default 5 min); longer values are capped. */
  maxRetryAfterMs?: number
  /** Uniform [0, 1) source for the jitter (default Math.random). */
  random?: () => number
}

/** Waits out a backoff; `signal` (shutdown) may end the wait early. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>
export const realSleep: Sleep = sleep

/** Exponential backoff with full jitter: uniform in [0, min(maxMs, baseMs * 2^retry)). */
export function backoffDelay(retry: number, opts: RetryOptions = {}): number {
  const base = opts.baseMs ?? 500
  const ceiling = Math.min(opts.maxMs ?? 30_000, base * 2 ** retry)
  return Math.floor((opts.random ?? Math.random)() * ceiling)
}

/**
 * Run one request with retries. Retryable SeamRequestErrors are logged once each (with their cause, never
 * secrets) and retried after backoff (or `Retry-After`); auth errors and cancellation (ABORTED, when `signal`
 * aborts, also during a backoff) pass through at once; anything else, or running out of attempts, becomes a
 * SourceUnavailableError. `quiet` (Seam is already known to be down, and that has been reported) logs the
 * attempts and the give-up at debug level: an outage is not hundreds of lines.
 */
export async function withRetry<T>(
  what: string,
  run: () => Promise<T>,
  ctx: {
    retry?: RetryOptions
    sleep: Sleep
    logger: Logger
    onRetry?: () => void
    quiet?: boolean
    signal?: AbortSignal
  },
): Promise<T> {
  const attempts = Math.max(1, ctx.retry?.attempts ?? 5)
  for (let attempt = 1; ; attempt++) {
    try {
      return await run()
    } catch (error) {
      if (hasCode(error, 'SEAM_AUTH') || hasCode(error, 'ABORTED')) throw error
      const retryable = error instanceof SeamRequestError && error.retryable
      const cause = errorMessage(error)
      const status = error instanceof SeamRequestError ? error.status : undefined
      if (!retryable || attempt >= attempts) {
        const level = ctx.quiet ? 'debug' : 'error'
        ctx.logger[level]({ what, attempt, status, cause }, `Seam request failed: ${cause}`)
        throw new SourceUnavailableError(
          `Seam is unavailable: ${what} failed after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${cause}`,
          { attempts: attempt, cause: error },
        )
      }
      const retryAfter = (error as SeamRequestError).retryAfterMs
      const delay =
        retryAfter !== undefined
          ? Math.min(retryAfter, ctx.retry?.maxRetryAfterMs ?? 300_000)
          : backoffDelay(attempt - 1, ctx.retry)
      ctx.logger[ctx.quiet ? 'debug' : 'warn'](
        { what, attempt, status, cause, retryInMs: delay },
        `Seam request failed (attempt ${attempt}/${attempts}), retrying: ${cause}`,
      )
      ctx.onRetry?.()
      await ctx.sleep(delay, ctx.signal)
      throwIfAborted(ctx.signal, what)
    }
  }
}
