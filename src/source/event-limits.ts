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

/** JSON text length of a primitive value (strings: escapes not expanded). */
function scalarSize(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return value.length + 2
    case 'number':
      return Number.isInteger(value) && value > -1e9 && value < 1e9 ? digits(value) : String(value).length
    case 'boolean':
      return value ? 4 : 5
    default:
      return 4 // null (undefined cannot come from JSON)
  }
}

function digits(n: number): number {
  let size = n < 0 ? 2 : 1
  let rest = n < 0 ? -n : n
  while (rest >= 10) {
    rest = (rest - (rest % 10)) / 10
    size++
  }
  return size
}

// One work list shared by every call (the walk is synchronous): objects to visit and their depths.
const pending: object[] = []
const depths: number[] = []

/**
 * Why `raw` is over a limit, or undefined when it is within both. Iterative (an explicit work list, no recursion),
 * so a payload nested 100,000 deep costs `maxDepth` steps, not a stack overflow; it stops as soon as a limit is
 * passed. The size is that of the compact JSON text, counted in UTF-16 code units with string escapes not
 * expanded: the byte size for ASCII text, and at least a third of the UTF-8 size otherwise.
 */
export function eventLimitProblem(raw: unknown, limits: EventLimits): string | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined // not an event at all: the schema says so
  const { maxDepth, maxBytes } = limits
  let size = 0
  let problem: string | undefined
  pending.push(raw)
  depths.push(1)
  while (pending.length > 0) {
    const value = pending.pop()!
    const depth = depths.pop()!
    if (depth > maxDepth) {
      problem = `nested deeper than limits.eventMaxDepth (${maxDepth} levels)`
      break
    }
    if (Array.isArray(value)) {
      size += value.length > 0 ? value.length + 1 : 2
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i]
        if (typeof item === 'object' && item !== null) {
          pending.push(item)
          depths.push(depth + 1)
        } else size += scalarSize(item)
        if (size > maxBytes) break
      }
    } else {
      const record = value as Record<string, unknown>
      const keys = Object.keys(record)
      size += keys.length > 0 ? keys.length + 1 : 2
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!
        const item = record[key]
        size += key.length + 3
        if (typeof item === 'object' && item !== null) {
          pending.push(item)
          depths.push(depth + 1)
        } else size += scalarSize(item)
        if (size > maxBytes) break
      }
    }
    if (size > maxBytes) {
      problem = `larger than limits.eventMaxBytes (${formatSize(maxBytes)})`
      break
    }
  }
  pending.length = 0
  depths.length = 0
  return problem
}
