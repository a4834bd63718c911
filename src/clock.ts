/** The one source of "now" (epoch milliseconds). Injected everywhere so tests and replay can run on event time. */
export interface Clock {
  now(): number
}

export const systemClock: Clock = { now: () => Date.now() }

export function manualClock(start: number): Clock & { set(t: number): void; advance(ms: number): void } {
  let t = start
  return {
    now: () => t,
    set: (next) => {
      t = next
    },
    advance: (delta) => {
      t += delta
    },
  }
}
