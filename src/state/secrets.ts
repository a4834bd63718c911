import { jsonPath } from '../errors.js'

/** Key names that hold credentials. Matched case-insensitively, ignoring `_` and `-`. */
const SECRET_NAMES = ['apikey', 'token', 'password', 'pass', 'webhookurl', 'authorization', 'secret']
const normalize = (key: string) => key.toLowerCase().replace(/[_-]/g, '')
const SECRET_SET = new Set(SECRET_NAMES)

/**
 * A quick screen on the serialized JSON: an object key (a quoted name right after `{` or `,`, outside any
 * string because quotes inside strings are escaped) named like a secret. Only when it hits do we walk the
 * object to find where, so the common path costs one regex scan.
 */
const SCREEN = /[{,]\s*"(?:api[_-]?key|token|password|pass|webhook[_-]?url|authorization|secret)"\s*:/i

/**
 * Maps keyed by ids (rule ids, group keys, event ids, device ids, incident keys): their keys are data, not
 * field names, so a rule that happens to be called `token` is not a secret.
 */
function isIdKeyedMap(path: readonly (string | number)[]): boolean {
  const [top, second] = path
  if (path.length === 2 && top === 'source' && second === 'seen') return true
  if (top === 'rules' && second !== 'clock' && (path.length === 2 || path.length === 3)) return true
  if (path.length === 1 && (top === 'threads' || top === 'devices' || top === 'digests' || top === 'monitor'))
    return true
  if (path.length === 2 && top === 'digests') return true
  return false
}

/** JSON paths of every secret-named key in `value` (empty when clean). */
export function findSecretKeys(value: unknown, serialized?: string): string[] {
  if (serialized !== undefined && !SCREEN.test(serialized)) return []
  const found: string[] = []
  const walk = (node: unknown, path: (string | number)[]) => {
    if (Array.isArray(node)) {
      for (const [index, item] of node.entries()) walk(item, [...path, index])
      return
    }
    if (node === null || typeof node !== 'object') return
    const idKeys = isIdKeyedMap(path)
    for (const [key, child] of Object.entries(node)) {
      if (!idKeys && SECRET_SET.has(normalize(key))) found.push(jsonPath([...path, key]))
      // A Seam event payload (in decisions and absence timers) is data from the API, not our configuration:
      // a field Seam names `token` must never make every state write fail.
      if (!idKeys && key === 'event') continue
      walk(child, [...path, key])
    }
  }
  walk(value, [])
  return found
}
