/**
 * Milliseconds on a monotonic clock (CLOCK_MONOTONIC through `performance.now()`): it never jumps with the wall
 * clock (NTP, an operator's `date`), and it keeps running while the process is stopped (SIGSTOP) or starved, so a
 * replica that wakes up after a freeze sees at once how much time went by. The lease's local validity is measured
 * on it, never on `Date.now()`. Tests inject a manual one to simulate a freeze.
 */
export interface Monotonic {
  now(): number
}

export const systemMonotonic: Monotonic = { now: () => performance.now() }
