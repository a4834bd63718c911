/**
 * The state's records and its big maps are shared between the live state and the next draft, and deep-frozen
 * (see src/state/state-layout.ts): code that changes one takes a writable copy first. These helpers keep that to
 * one call at each write site, and copy at most once per update: the copy is not frozen, so later writes in the
 * same update change it in place. Writing to a frozen one by mistake throws a TypeError; it never changes the last
 * saved state.
 */

/** Freeze `value` and everything reachable from it. A frozen object is assumed to be deep-frozen already. */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value
  if (value === Object.prototype || value === Array.prototype) return value // never, whatever a lookup returned
  Object.freeze(value)
  const items = Array.isArray(value) ? value : Object.values(value)
  for (let i = 0; i < items.length; i++) {
    const item: unknown = items[i]
    if (typeof item === 'object' && item !== null) deepFreeze(item)
  }
  return value
}

/** `list` itself when it may be changed, else (frozen: shared with the last saved state) a shallow copy. */
export function writableArray<T>(list: readonly T[]): T[] {
  return Object.isFrozen(list) ? [...list] : (list as T[])
}

/**
 * A shallow copy of a map in the same key order. A key-by-key loop: measured several times faster than
 * `{ ...map }` on maps of thousands of keys. "__proto__" stays a plain key (a device or event id could be one).
 */
export function copyMap<T>(map: Readonly<Record<string, T>>): Record<string, T> {
  const out: Record<string, T> = {}
  const keys = Object.keys(map)
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!
    if (key !== '__proto__') out[key] = map[key]!
    else
      Object.defineProperty(out, key, {
        value: map[key],
        writable: true,
        enumerable: true,
        configurable: true,
      })
  }
  return out
}

/**
 * `parent[key]`, a map, ready to change: created empty when missing, and a frozen one (shared with the last saved
 * state) replaced by a copy first. `parent` itself must be writable (a draft's own maps are).
 */
export function ownMap<P extends object, K extends keyof P>(parent: P, key: K): NonNullable<P[K]> {
  const found = parent[key] as Record<string, unknown> | undefined
  if (found !== undefined && !Object.isFrozen(found)) return found as NonNullable<P[K]>
  const own = found === undefined ? {} : copyMap(found)
  parent[key] = own as P[K]
  return own as NonNullable<P[K]>
}

/**
 * Delete `keys` from the map `parent[key]`: with nothing to delete nothing is copied, and a frozen map (shared with
 * the last saved state) is copied first. For passes that read a whole map and remove a few entries.
 */
export function deleteKeys<P extends object, K extends keyof P>(
  parent: P,
  key: K,
  keys: readonly string[],
): void {
  if (keys.length === 0) return
  const own = ownMap(parent, key) as Record<string, unknown>
  for (const k of keys) delete own[k]
}
