import { formatSize } from '../size.js'

/** Bounds on one event's payload, checked before anything else (zod, the rules, JSON.stringify) touches it. */
export interface EventLimits {
  /** Deepest nesting of objects and arrays; the event object itself is level 1. */
  maxDepth: number
  /** Largest size of its compact JSON text (see `eventLimitProblem` for how it is counted). */
  maxBytes: number
}

export const DEFAULT_EVENT_LIMITS: Readonly<EventLimits> = Object.freeze({
  maxDepth: 32,
  maxBytes: 256 * 1024,
})

/**
 * The highest `limits.eventMaxDepth` the config accepts. Events are serialized (outbox, state file, messages) and
 * walked by recursive code (JSON.stringify, deepFreeze) that overflows the stack at a few thousand levels: 1,000
 * leaves a wide margin.
 */
export const EVENT_MAX_DEPTH_CEILING = 1000

/** JSON text length of a number (the common small integers without a string conversion). */
function numberSize(n: number): number {
  if (Number.isInteger(n) && n >= 0 && n < 1e6)
    return n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 1e4 ? 4 : n < 1e5 ? 5 : 6
  return String(n).length
}

// The work list, shared by every call (the walk is synchronous): containers still to visit and their depths.
const stack: object[] = []
const depths: number[] = []

/**
 * Why `raw` is over a limit, or undefined when it is within both. Iterative (an explicit work list, no recursion),
 * so a payload nested 100,000 deep costs `maxDepth` steps, not a stack overflow; it stops as soon as a limit is
 * passed. The size is that of the compact JSON text, counted in UTF-16 code units with string escapes not
 * expanded: the byte size for ASCII text, and at least a third of the UTF-8 size otherwise.
 *
 * It runs on every event (replay, catch-up): one pass, `for...in` rather than `Object.keys` (no key array per
 * object), primitives sized inline: some 150 ns of CPU for a typical event (`npm run bench`, replay section).
 */
export function eventLimitProblem(raw: unknown, limits: EventLimits): string | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined // not an event at all: the schema says so
  const { maxDepth, maxBytes } = limits
  let size = 0
  let top = 0
  let problem: string | undefined
  stack[top] = raw
  depths[top++] = 1
  walk: while (top > 0) {
    const value = stack[--top]!
    const depth = depths[top]!
    if (depth > maxDepth) {
      problem = `nested deeper than limits.eventMaxDepth (${maxDepth} levels)`
      break
    }
    if (Array.isArray(value)) {
      const n = value.length
      size += n > 0 ? n + 1 : 2
      for (let i = 0; i < n; i++) {
        const item: unknown = value[i]
        const type = typeof item
        if (type === 'string') size += (item as string).length + 2
        else if (type === 'number') size += numberSize(item as number)
        else if (type !== 'object') size += item === true ? 4 : 5
        else if (item === null) size += 4
        else {
          stack[top] = item as object
          depths[top++] = depth + 1
        }
        if (size > maxBytes) break walk
      }
    } else {
      let keys = 0
      for (const key in value) {
        keys++
        const item: unknown = (value as Record<string, unknown>)[key]
        size += key.length + 3
        const type = typeof item
        if (type === 'string') size += (item as string).length + 2
        else if (type === 'number') size += numberSize(item as number)
        else if (type !== 'object') size += item === true ? 4 : 5
        else if (item === null) size += 4
        else {
          stack[top] = item as object
          depths[top++] = depth + 1
        }
        if (size > maxBytes) break walk
      }
      size += keys > 0 ? keys + 1 : 2
    }
  }
  if (problem === undefined && size > maxBytes)
    problem = `larger than limits.eventMaxBytes (${formatSize(maxBytes)})`
  if (stack.length > 64) {
    stack.length = 0 // a wide event left a long list: let it go (a few references to the last event may stay)
    depths.length = 0
  }
  return problem
}
