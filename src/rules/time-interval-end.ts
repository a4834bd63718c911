import { type CompiledInterval, compileTimeInterval, dateMatches, intervalContains } from './time-interval.js'
import type { TimeIntervalSpec } from './time-interval-schema.js'
import { minuteStart, utcOffsetMinutes, wallClock } from './wall-clock.js'

/**
 * When membership in a set of time intervals next changes (e.g. when a mute window ends, for its summary).
 *
 * Membership depends only on the local wall-clock minute, so it can change only at a local midnight, at a
 * `start_time`/`end_time` of the day, or where the zone's UTC offset changes (DST). The search steps from one
 * such candidate instant to the next instead of minute by minute: a few steps per day. A candidate is estimated
 * as "this minute plus the local minutes to go"; when the offset at the estimate differs, a binary search (by
 * minutes) finds the transition and that becomes the candidate. Assumes at most one offset change per step
 * (< 1 day) and zone offsets in whole minutes (all current IANA zones).
 */
const MINUTE = 60_000
const DEFAULT_HORIZON_MS = 400 * 86_400_000

/** The first offset change in (from, to], at minute resolution, when the offsets at both ends differ. */
function transition(zone: string, from: number, to: number, before: number): number {
  let low = from // offset here is `before`
  let high = to // offset here differs
  while (high - low > MINUTE) {
    const mid = minuteStart(low + (high - low) / 2)
    if (utcOffsetMinutes(mid, zone) === before) low = mid
    else high = mid
  }
  return high
}

/** The next instant after `at` where this interval's membership may change. */
function nextCandidate(interval: CompiledInterval, at: number): number {
  const wall = wallClock(at, interval.zone)
  const start = minuteStart(at)
  // A day whose date does not match stays outside until the next local midnight.
  const next = dateMatches(interval, wall)
    ? interval.boundaries.find((minute) => minute > wall.minute)!
    : 1440
  const estimate = start + (next - wall.minute) * MINUTE
  if (interval.zone === 'UTC') return estimate
  const before = utcOffsetMinutes(start, interval.zone)
  if (utcOffsetMinutes(estimate, interval.zone) === before) return estimate
  return transition(interval.zone, start, estimate, before)
}

/**
 * The first instant after `fromMs` at which being inside any of `specs` differs from being inside at `fromMs`
 * (a UTC minute boundary), or undefined when it does not change within `horizonMs` (default 400 days).
 */
export function nextTimeIntervalChange(
  specs: TimeIntervalSpec | readonly TimeIntervalSpec[],
  fromMs: number,
  horizonMs = DEFAULT_HORIZON_MS,
): number | undefined {
  const list = (Array.isArray(specs) ? specs : [specs as TimeIntervalSpec]).map(compileTimeInterval)
  const inside = (at: number) => list.some((interval) => intervalContains(interval, at))
  const initially = inside(fromMs)
  let at = fromMs
  for (;;) {
    const candidate = Math.min(...list.map((interval) => nextCandidate(interval, at)))
    if (candidate - fromMs > horizonMs) return undefined
    if (inside(candidate) !== initially) return candidate
    at = candidate
  }
}

/** While inside: when the current inside period ends (undefined when outside, or no end within the horizon). */
export function timeIntervalEnd(
  specs: TimeIntervalSpec | readonly TimeIntervalSpec[],
  nowMs: number,
  horizonMs = DEFAULT_HORIZON_MS,
): number | undefined {
  const list = Array.isArray(specs) ? specs : [specs as TimeIntervalSpec]
  if (!list.some((spec) => intervalContains(compileTimeInterval(spec), nowMs))) return undefined
  return nextTimeIntervalChange(list, nowMs, horizonMs)
}
