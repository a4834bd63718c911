/** Exponential backoff with jitter for delivery retries. */
export interface BackoffOptions {
  /** Delay before the first retry (`delivery.backoff`). */
  baseMs: number
  /** Cap (`delivery.maxBackoff`). */
  maxMs: number
}

/**
 * Delay before retry number `attempt` (1 = first retry): base * 2^(attempt-1), capped, with "equal jitter"
 * (half fixed, half random) so many failing items do not retry in lockstep. A server's Retry-After wins when
 * it asks for longer.
 */
export function retryDelay(
  attempt: number,
  options: BackoffOptions,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  const exp = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt - 1))
  const jittered = Math.round(exp / 2 + (random() * exp) / 2)
  return Math.max(jittered, retryAfterMs ?? 0)
}
