import type { Config } from '../config.js'
import { errorMessage } from '../errors.js'
import type { OutboxItem } from '../state/state-schema.js'
import { retryDelay } from './backoff.js'
import { type ChannelKind, SEND_TIMEOUT_MS } from './channels.js'
import { DeliveryError } from './notifier.js'
import type { Outcome } from './outcomes.js'

/** Any failed attempt as a DeliveryError; a send past its channel's timeout (`timedOut`) is a retryable one. */
export function toDeliveryError(error: unknown, timedOut?: ChannelKind): DeliveryError {
  if (timedOut) {
    const message = `${timedOut}: no answer within ${SEND_TIMEOUT_MS[timedOut] / 1000} s`
    return new DeliveryError(message, { retryable: true, cause: error })
  }
  if (error instanceof DeliveryError) return error
  return new DeliveryError(errorMessage(error), { retryable: true, cause: error })
}

/**
 * What a failed attempt leads to: a retry after backoff (or the server's Retry-After), or the dead-letter list
 * for a permanent failure and for the last of `delivery.maxAttempts`.
 */
export function failureOutcome(
  failure: DeliveryError,
  items: OutboxItem[],
  now: number,
  delivery: Config['delivery'],
  random?: () => number,
): Outcome {
  const attempts = Math.max(...items.map((item) => item.attempts)) + 1
  if (!failure.retryable || attempts >= delivery.maxAttempts) {
    const reason = failure.retryable
      ? `${failure.message} (gave up after ${attempts} attempts)`
      : failure.message
    return { type: 'dead', items, reason, at: now }
  }
  const backoff = { baseMs: delivery.backoff, maxMs: delivery.maxBackoff }
  const delay = retryDelay(attempts, backoff, failure.retryAfterMs, random)
  return { type: 'retry', items, error: failure.message, at: now, nextAttemptAt: now + delay }
}
