import type { State } from './state-schema.js'

/**
 * Where the state's records are. A draft (`draftOf`) copies the containers on the way to them (maps keyed by rule,
 * group, device, incident; the outbox and other lists) and shares the records themselves with the state it was
 * made from. Shared records are deep-frozen (by `stateJson`, when it first serializes them), so the last durable
 * state cannot be changed through a draft: code that changes a record puts a new one in its place (src/frozen.ts
 * has the helpers). Frozen records are also what lets `stateJson` reuse the text of everything an update did not
 * touch.
 *
 * A layout node is either RECORD or a container whose children's layouts are named by key, with `*` for any other
 * key or index. Anything not named (a field added later, say) is a record: shared and frozen, never copied.
 */
export const RECORD = 'record'
export type Layout = typeof RECORD | { readonly [key: string]: Layout }

const byKey = (child: Layout): Layout => ({ '*': child })
const byRuleAndGroup = byKey(byKey(RECORD))

export const STATE_LAYOUT: Layout = {
  '*': RECORD,
  source: byKey(RECORD), // cursor, floor, and `seen` (a record: each poll cycle replaces it whole)
  rules: {
    '*': RECORD,
    windows: byRuleAndGroup,
    timers: byRuleAndGroup,
    throttles: byRuleAndGroup,
    incidents: byRuleAndGroup,
    fingerprints: byKey(RECORD),
  },
  outbox: byKey(RECORD),
  deadLetters: byKey(RECORD),
  sent: byKey(RECORD),
  threads: byKey(RECORD),
  devices: byKey(RECORD),
  digests: byRuleAndGroup,
  monitor: byKey(RECORD),
}

/** The layout of `key` inside a container laid out as `layout`. */
export function childLayout(layout: Exclude<Layout, typeof RECORD>, key: string): Layout {
  return Object.hasOwn(layout, key) ? layout[key]! : (layout['*'] ?? RECORD)
}

const isContainer = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null

/** Only a `*` child, and that a record: a plain shallow copy does. */
const flat = (layout: Exclude<Layout, typeof RECORD>): boolean =>
  layout['*'] === RECORD && Object.keys(layout).length === 1

function copy(value: unknown, layout: Layout): unknown {
  if (layout === RECORD || !isContainer(value)) return value
  if (Array.isArray(value)) {
    return flat(layout) ? value.slice() : value.map((item) => copy(item, childLayout(layout, '*')))
  }
  const out: Record<string, unknown> = {}
  const records = flat(layout)
  // A key-by-key loop: measured several times faster than `{ ...value }` on maps of thousands of keys.
  const keys = Object.keys(value) // not for-in: big maps are in dictionary mode, where for-in re-checks every key
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!
    const item = records ? value[key] : copy(value[key], childLayout(layout, key))
    if (key !== '__proto__') out[key] = item
    // `out.__proto__ = item` would set the prototype: a device or event id "__proto__" must stay a plain key.
    else
      Object.defineProperty(out, key, { value: item, writable: true, enumerable: true, configurable: true })
  }
  return out
}

/**
 * A draft of `state` for one update: every container is new, every record is shared. The records must be frozen
 * first (stateJson does that as it serializes them). Costs a shallow copy of each map, not a deep copy.
 */
export function draftOf(state: State): State {
  return copy(state, STATE_LAYOUT) as State
}
