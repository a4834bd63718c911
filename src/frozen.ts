/**
 * Records shared between the live state and the next draft are deep-frozen (see src/state/state-layout.ts): code
 * that changes one takes a writable copy first. These helpers keep that to one line at each write site, and copy
 * at most once per update: the copy is not frozen, so later writes in the same update change it in place.
 */

/** Freeze `value` and everything reachable from it. A frozen object is assumed to be deep-frozen already. */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value
  if (value === Object.prototype || value === Array.prototype) return value // never, whatever a lookup returned
  Object.freeze(value)
  if (Array.isArray(value)) {
    for (const item of value) deepFreeze(item)
  } else {
    for (const key in value) deepFreeze((value as Record<string, unknown>)[key])
  }
  return value
}

/** `list` itself when it may be changed, else (frozen: shared with the last saved state) a shallow copy. */
export function writableArray<T>(list: readonly T[]): T[] {
  return Object.isFrozen(list) ? [...list] : (list as T[])
}
