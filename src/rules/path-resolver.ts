/**
 * The simple JSONPath subset rule conditions may use in `path`: `$`, `$.a.b`, `$.list[0]`, `$["odd key"]`.
 * One resolver serves both the compiled predicates and json-rules-engine (its `pathResolver` option), so a path
 * means the same thing on either side. Anything richer (`..`, filters, wildcards) is rejected by validation.
 */
export type PathSegment = string | number

const SEGMENT = /^(?:\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')\])/

const parsed = new Map<string, PathSegment[] | null>()

/** The segments of a path, or null when it is not in the supported subset. Cached. */
export function parsePath(path: string): PathSegment[] | null {
  const known = parsed.get(path)
  if (known !== undefined) return known
  const result = parseUncached(path)
  parsed.set(path, result)
  return result
}

function parseUncached(path: string): PathSegment[] | null {
  if (!path.startsWith('$')) return null
  const segments: PathSegment[] = []
  let rest = path.slice(1)
  while (rest.length > 0) {
    const match = SEGMENT.exec(rest)
    if (!match) return null
    if (match[1] !== undefined) segments.push(match[1])
    else if (match[2] !== undefined) segments.push(Number(match[2]))
    else segments.push(unquote(match[3]!))
    rest = rest.slice(match[0].length)
  }
  return segments
}

function unquote(quoted: string): string {
  const body = quoted.slice(1, -1)
  return body.replace(/\\(.)/g, '$1')
}

/** Follow segments into a value; anything missing along the way gives undefined. Own properties only. */
export function followPath(value: unknown, segments: readonly PathSegment[]): unknown {
  let current = value
  for (const segment of segments) {
    if (current === null || typeof current !== 'object') return undefined
    if (!Object.hasOwn(current, segment)) return undefined
    current = (current as Record<PathSegment, unknown>)[segment]
  }
  return current
}

/** json-rules-engine `pathResolver`: (factValue, path) => value. Unsupported paths resolve to undefined. */
export function resolvePath(value: unknown, path: string): unknown {
  const segments = parsePath(path)
  return segments ? followPath(value, segments) : undefined
}
