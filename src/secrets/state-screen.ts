import { jsonPath } from '../errors.js'
import type { State } from '../state/state-schema.js'
import { isSecretName, normalizeName, SECRET_NAMES } from './definition.js'
import { containsSecret, hasSecrets, secretsGeneration } from './scrub.js'

/** Per key name: is it a secret's name? Key names repeat (field names), so each is judged once. */
const verdicts = new Map<string, boolean>()
const isSecretKey = (key: string): boolean => {
  let verdict = verdicts.get(key)
  if (verdict === undefined) {
    verdict = isSecretName(key)
    if (verdicts.size < 10_000) verdicts.set(key, verdict)
  }
  return verdict
}

/**
 * A quick screen on the serialized JSON: an object key (a quoted name right after `{` or `,`, outside any
 * string because quotes inside strings are escaped) named like a secret, `_` and `-` allowed anywhere in it.
 * Only when it hits do we walk the object to find where, so the common path costs one regex scan.
 */
const SCREEN = new RegExp(
  `[{,]\\s*"(?:${SECRET_NAMES.map((name) => normalizeName(name).split('').join('[_-]*')).join('|')})"\\s*:`,
  'i',
)

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
  /** JSON paths of the strings (or keys) found holding a configured secret value (scrub.ts). */
  values: string[]
  /** Are values checked? Not while no secret is known (tests, `validate`): the walk then costs what it did. */
  checking: boolean
  /** Which subtrees (by path) are not walked. */
  skip?: (path: readonly (string | number)[]) => boolean
  /**
   * Frozen objects this kind of walk already found clean. A frozen part cannot change, so it never needs walking
   * again (state-layout.ts: the records and big maps a save shares with the next draft are frozen, so a state
   * write screens only what the update changed).
   */
  clean?: WeakSet<object>
}

/** Records the path when `text` holds a configured secret value; `checking` is false while none is known. */
const valueAt = (ctx: Walk, path: (string | number)[], text: string) => {
  if (ctx.checking && containsSecret(text)) ctx.values.push(jsonPath(path))
}

/**
 * A Seam event payload (in decisions and absence timers) is data from the API, not our configuration: a field
 * Seam names `token` must never make every state write fail, and its nesting is Seam's (unbounded), so it is not
 * walked. Only its top-level strings are checked for secret values: that is where a meta-alert's `detail` (an
 * error text) sits.
 */
function payloadValues(event: unknown, path: (string | number)[], ctx: Walk): void {
  if (!ctx.checking || event === null || typeof event !== 'object' || Array.isArray(event)) return
  for (const key of Object.keys(event)) {
    const value = (event as Record<string, unknown>)[key]
    if (typeof value !== 'string') continue
    path.push(key)
    valueAt(ctx, path, value)
    path.pop()
  }
}

/**
 * Push the JSON path of every secret-named key under `node` (found at `path`, which is used as a stack and
 * restored) onto `walk.found`, and of every string (or key) holding a configured secret value onto `walk.values`.
 */
function walk(node: unknown, path: (string | number)[], ctx: Walk): void {
  if (node === null || typeof node !== 'object' || ctx.clean?.has(node)) return
  const before = ctx.found.length + ctx.values.length
  if (Array.isArray(node)) {
    for (let index = 0; index < node.length; index++) {
      const item: unknown = node[index]
      path.push(index)
      if (typeof item === 'string') valueAt(ctx, path, item)
      else walk(item, path, ctx)
      path.pop()
    }
  } else {
    const idKeys = isIdKeyedMap(path)
    for (const key of Object.keys(node)) {
      path.push(key)
      if (!idKeys && isSecretKey(key)) ctx.found.push(jsonPath(path))
      valueAt(ctx, path, key)
      const value = (node as Record<string, unknown>)[key]
      if (typeof value === 'string') valueAt(ctx, path, value)
      else if (!idKeys && key === 'event') payloadValues(value, path, ctx)
      else if (!ctx.skip?.(path)) walk(value, path, ctx)
      path.pop()
    }
  }
  const after = ctx.found.length + ctx.values.length
  if (ctx.clean && after === before && Object.isFrozen(node)) ctx.clean.add(node)
}

/** JSON paths of every secret-named key anywhere in `value` (empty when clean). Walks everything. */
export function findSecretKeys(value: unknown, serialized?: string): string[] {
  if (serialized !== undefined && !SCREEN.test(serialized)) return []
  const ctx: Walk = { found: [], values: [], checking: hasSecrets() }
  walk(value, [], ctx)
  return ctx.found
}

/** JSON paths of every string (or key) anywhere in `value` that holds a configured secret value. */
export function findSecretValues(value: unknown, serialized?: string): string[] {
  if (serialized !== undefined && !containsSecret(serialized)) return []
  const ctx: Walk = { found: [], values: [], checking: hasSecrets() }
  walk(value, [], ctx)
  return ctx.values
}

/**
 * The bulky parts of the state that `screenState` does not walk: maps of fixed-shape records keyed
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

/** Frozen parts of states the write screen walked and found clean, for the secrets known at the time. */
let stateScreenedClean = new WeakSet<object>()
let screenedGeneration = secretsGeneration()

/** What the screen of one state write found: secret-named keys and strings holding a secret value. */
export interface StateScreen {
  keys: string[]
  values: string[]
}

/**
 * The secret screen of every state write: the JSON paths of secret-named keys, and of strings holding a
 * configured secret value, where secrets could enter the state (both empty when clean). Cost grows with the
 * outbox, not with the number of devices.
 *
 * Why this is sufficient: secrets exist only in the configuration (secrets/definition.ts). Configuration
 * reaches the state only as the `action` of outbox and dead-letter items (stored without its secret fields,
 * see stripActionSecrets), and as names derived from it: group field names (`groupBy`) in decisions, absence
 * timers and digests, channel keys in threads, targets in sent records. Error texts reach it as the `reason`
 * and `lastError` of outbox and dead-letter items, and the meta-alerts' details (scrubbed when written, and
 * checked here again). All of those, and every other part of the state (including top-level fields added
 * later), are walked key by key and string by string like `findSecretKeys`. What is skipped is the bulk of a
 * big state: seen event ids, windows, throttles, open incidents and the device-name cache. Their records have
 * a fixed shape (state-schema.ts, rules/rule-state.ts: ids, timestamps, counts, device names), they are built
 * field by field from Seam events and API answers, never from a configuration object or an error, their keys
 * are ids, and zod strips any other field when the file is loaded. Seam event payloads are API data: only
 * their top-level strings are checked (see payloadValues).
 */
export function screenState(state: State): StateScreen {
  if (screenedGeneration !== secretsGeneration()) {
    // A secret learned since (a rule reload): what was clean before has not been checked for it.
    stateScreenedClean = new WeakSet<object>()
    screenedGeneration = secretsGeneration()
  }
  const ctx: Walk = {
    found: [],
    values: [],
    checking: hasSecrets(),
    skip: isDataMap,
    clean: stateScreenedClean,
  }
  walk(state, [], ctx)
  return { keys: ctx.found, values: ctx.values }
}

/** The secret-named keys of `screenState`. */
export function findStateSecretKeys(state: State): string[] {
  return screenState(state).keys
}
