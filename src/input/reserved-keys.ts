/**
 * Keys that JavaScript gives a meaning of its own. `JSON.parse` keeps `"__proto__"` as a plain own key, but the
 * first ordinary copy (`out[key] = value`, as `${ENV}` expansion and zod's records do) turns it into the copy's
 * prototype: `{"__proto__": {"enabled": false}}` then reads as `enabled: false` while no schema sees an unknown
 * key. `constructor` and `prototype` are ordinary own keys after `JSON.parse` and copying, so strict objects
 * already reject them as unknown fields and records keep them as plain names; only `__proto__` needs this scan.
 */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__'])

/** Where a reserved key sits: the path of the object holding it, and the key. */
export interface ReservedKey {
  at: PropertyKey[]
  key: string
}

/**
 * Every reserved key at any depth of a parsed JSON value, in document order. Iterative, so a deeply nested
 * document cannot overflow the stack here.
 */
export function findReservedKeys(value: unknown): ReservedKey[] {
  interface Frame {
    node: object
    key: PropertyKey
    parent?: Frame
  }
  const pathOf = (frame: Frame | undefined): PropertyKey[] => {
    const path: PropertyKey[] = []
    for (let at = frame; at?.parent !== undefined; at = at.parent) path.push(at.key)
    return path.reverse()
  }
  const found: ReservedKey[] = []
  if (value === null || typeof value !== 'object') return found
  // Parent links instead of a path per object: a path is built only for a hit, so deep nesting stays linear.
  const stack: Frame[] = [{ node: value, key: '$' }]
  while (stack.length > 0) {
    const frame = stack.pop()!
    const entries: [PropertyKey, unknown][] = Array.isArray(frame.node)
      ? frame.node.map((item, index) => [index, item])
      : Object.entries(frame.node)
    for (const [key] of entries)
      if (typeof key === 'string' && RESERVED_KEYS.has(key)) found.push({ at: pathOf(frame), key })
    for (let index = entries.length - 1; index >= 0; index--) {
      const [key, child] = entries[index]!
      if (child !== null && typeof child === 'object') stack.push({ node: child, key, parent: frame })
    }
  }
  return found
}
