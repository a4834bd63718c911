import { jsonPath } from '../errors.js'
import type { State } from './state-schema.js'

/** Key names that hold credentials. Matched case-insensitively, ignoring `_` and `-`. */
const SECRET_NAMES = ['apikey', 'token', 'password', 'pass', 'webhookurl', 'authorization', 'secret']
const SECRET_SET = new Set(SECRET_NAMES)
/** Per key name: is it secret-like? Key names repeat (field names), so each is normalized once. */
const verdicts = new Map<string, boolean>()
const isSecretName = (key: string): boolean => {
  let verdict = verdicts.get(key)
  if (verdict === undefined) {
    verdict = SECRET_SET.has(key.toLowerCase().replace(/[_-]/g, ''))
    if (verdicts.size < 10_000) verdicts.set(key, verdict)
  }
  return verdict
}

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
  const length = path.length
  if (length === 0 || length > 3) return false
  const top = path[0]
  const second = path[1]
  if (top === 'rules') return length >= 2 && second !== 'clock'
  if (length === 1) return top === 'threads' || top === 'devices' || top === 'digests' || top === 'monitor'
  if (length === 2) return (top === 'source' && second === 'seen') || top === 'digests'
  return false
}

interface Walk {
  /** JSON paths of the secret-named keys found so far. */
  found: string[]
  /** Which subtrees (by path) are not walked. */
  skip?: (path: readonly (string | number)[]) => boolean
  /**
   * Frozen objects this kind of walk already found clean. A frozen part cannot change, so it never needs walking
   * again (state-layout.ts: the records and big maps a save shares with the next draft are frozen, so a state
   * write screens only what the update changed).
   */
  clean?: WeakSet<object>
}

/**
 * Push the JSON path of every secret-named key under `node` (found at `path`, which is used as a stack and
 * restored) onto `walk.found`.
 */
function walk(node: unknown, path: (string | number)[], ctx: Walk): void {
  if (node === null || typeof node !== 'object' || ctx.clean?.has(node)) return
  const before = ctx.found.length
  if (Array.isArray(node)) {
    for (let index = 0; index < node.length; index++) {
      path.push(index)
      walk(node[index], path, ctx)
      path.pop()
    }
  } else {
    const idKeys = isIdKeyedMap(path)
    for (const key of Object.keys(node)) {
      if (!idKeys && isSecretName(key)) ctx.found.push(jsonPath([...path, key]))
      // A Seam event payload (in decisions and absence timers) is data from the API, not our configuration:
      // a field Seam names `token` must never make every state write fail.
      if (!idKeys && key === 'event') continue
      path.push(key)
      if (!ctx.skip?.(path)) walk((node as Record<string, unknown>)[key], path, ctx)
      path.pop()
    }
  }
  if (ctx.clean && ctx.found.length === before && Object.isFrozen(node)) ctx.clean.add(node)
}

/** JSON paths of every secret-named key anywhere in `value` (empty when clean). Walks everything. */
export function findSecretKeys(value: unknown, serialized?: string): string[] {
  if (serialized !== undefined && !SCREEN.test(serialized)) return []
  const ctx: Walk = { found: [] }
  walk(value, [], ctx)
  return ctx.found
}

/**
 * The bulky parts of the state that `findStateSecretKeys` does not walk: maps of fixed-shape records keyed
 * by ids, written only by the evaluator, the source and the device-name cache from Seam data.
 */
function isDataMap(path: readonly (string | number)[]): boolean {
  if (path.length === 1) return path[0] === 'devices'
  if (path.length !== 2) return false
  const top = path[0]
  const second = path[1]
  if (top === 'source') return second === 'seen'
  return top === 'rules' && (second === 'windows' || second === 'throttles' || second === 'incidents')
}

/** Frozen parts of states the write screen walked and found without a secret-named key. */
const stateScreenedClean = new WeakSet<object>()

/**
 * The secret screen of every state write: JSON paths of secret-named keys where secrets could enter the
 * state (empty when clean). Cost grows with the outbox, not with the number of devices.
 *
 * Why this is sufficient: secrets exist only in the configuration (API key, Slack token, SMTP password,
 * webhook URLs). Configuration reaches the state only as the `action` of outbox and dead-letter items
 * (stored without `webhookUrl`, see notify/outbox.ts), and as names derived from it: group field names
 * (`groupBy`) in decisions, absence timers and digests, channel keys in threads, targets in sent records.
 * All of those, and every other part of the state (including top-level fields added later), are walked key
 * by key exactly like `findSecretKeys`. What is skipped is the bulk of a big state: seen event ids, windows,
 * throttles, open incidents and the device-name cache. Their records have a fixed shape (state-schema.ts,
 * rules/rule-state.ts: ids, timestamps, counts, device names), they are built field by field from Seam
 * events and API answers, never from a configuration object, their keys are ids, and zod strips any other
 * field when the file is loaded. Seam event payloads are API data and are skipped as before.
 */
export function findStateSecretKeys(state: State): string[] {
  const ctx: Walk = { found: [], skip: isDataMap, clean: stateScreenedClean }
  walk(state, [], ctx)
  return ctx.found
}
