import { SeamAlertsError } from './errors.js'

/**
 * Cancellation. Shutdown aborts an AbortSignal; work in flight (a Seam request, a retry's backoff, a send) ends
 * at once with an ABORTED error. ABORTED is not a failure: it is never retried, logged as an error, counted or
 * dead-lettered, and whatever was being done stays where it was (the cursor, the outbox item) for the next start.
 */
export function abortedError(what: string, signal?: AbortSignal): SeamAlertsError {
  const cause = signal?.reason
  return new SeamAlertsError('ABORTED', `${what}: cancelled (shutting down)`, cause ? { cause } : undefined)
}

/** Throw ABORTED when `signal` has been aborted. */
export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw abortedError(what, signal)
}

/** Settle with `work`, or reject with ABORTED as soon as `signal` aborts (the work itself is left to end). */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (!signal) return work
  if (signal.aborted) return Promise.reject(abortedError(what, signal))
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortedError(what, signal))
    signal.addEventListener('abort', onAbort, { once: true })
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}

/** Wait `ms`; rejects with ABORTED (and clears the timer) when `signal` aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const wait = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, ms))
  })
  return untilAborted(wait, signal, 'waiting').finally(() => clearTimeout(timer))
}

/** Resolves when `signal` aborts (never, when it does not). */
export function whenAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve()
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))
}
