import { copyMap } from '../frozen.js'
import type { State } from './state-schema.js'

/**
 * Where the state's records and maps are, and which of them a draft (`draftOf`) shares with the state it was made
 * from.
 *
 * - Records (a window's entries, a throttle, a timer, an outbox item, a device name, ...) are always shared.
 * - The big maps of records (the groups of one rule, device names, threads, digest groups) are shared too: a quiet
 *   update does not copy ten thousand keys it does not change.
 * - Everything else (the top level, the maps of rules, the lists) is small and copied into every draft.
 *
 * `stateJson` deep-freezes the records and freezes the shared maps as it first serializes them, so the last durable
 * state cannot be changed through a draft: code that changes a record puts a new one in its place, and code that
 * changes a shared map takes a writable copy first (`ownMap`, `bucket`; src/frozen.ts). Frozen parts are also what
 * lets `stateJson` reuse the text of everything an update did not touch.
 *
 * A layout node is either RECORD or a container whose children's layouts are named by key, with `*` for any other
 * key or index. Anything not named (a field added later, say) is a record: shared and frozen, never copied.
 */
export const RECORD = 'record'
export type Layout = typeof RECORD | { readonly [key: string]: Layout }
export type ContainerLayout = Exclude<Layout, typeof RECORD>

const sharedLayouts = new WeakSet<object>()
const byKey = (child: Layout): ContainerLayout => ({ '*': child })
/** A map of records shared between drafts until written. */
const sharedMap = (): ContainerLayout => {
  const layout = byKey(RECORD)
  sharedLayouts.add(layout)
  return layout
}

export const STATE_LAYOUT: ContainerLayout = {
  '*': RECORD,
  source: byKey(RECORD), // cursor, floor, and `seen` (a record: each poll cycle replaces it whole)
  rules: {
    '*': RECORD,
    windows: byKey(sharedMap()),
    timers: byKey(sharedMap()),
    throttles: byKey(sharedMap()),
    incidents: byKey(sharedMap()),
    firstSeen: byKey(sharedMap()),
    spikes: byKey(sharedMap()),
    learning: byKey(RECORD),
    fingerprints: byKey(RECORD),
  },
  outbox: byKey(RECORD),
  deadLetters: byKey(RECORD),
  sent: byKey(RECORD),
  threads: sharedMap(),
  devices: sharedMap(),
  slackMessages: sharedMap(),
  digests: byKey(sharedMap()),
  monitor: byKey(RECORD),
  silences: byKey(RECORD),
  history: byKey(RECORD),
  // heldFires, held: small maps of records; open: one entry per open incident of every rule, shared until written.
  noise: { '*': byKey(RECORD), open: sharedMap() },
}

/** Is this a map shared between drafts until written (frozen once serialized)? */
export const isShared = (layout: Layout): boolean => layout !== RECORD && sharedLayouts.has(layout)

/** The layout of `key` inside a container laid out as `layout`. */
export function childLayout(layout: ContainerLayout, key: string): Layout {
  return Object.hasOwn(layout, key) ? layout[key]! : (layout['*'] ?? RECORD)
}

function copy(value: unknown, layout: Layout): unknown {
  if (layout === RECORD || isShared(layout) || typeof value !== 'object' || value === null) return value
  if (Array.isArray(value)) return value.map((item) => copy(item, childLayout(layout, '*')))
  const out = copyMap(value as Record<string, unknown>)
  for (const key of Object.keys(out)) {
    const child = childLayout(layout, key)
    if (child !== RECORD && !isShared(child)) out[key] = copy(out[key], child)
  }
  return out
}

/**
 * A draft of `state` for one update: its own copies of the small maps and lists; records and big maps shared with
 * `state`, which must have been serialized (frozen) first. Costs a copy of the small parts only.
 */
export function draftOf(state: State): State {
  return copy(state, STATE_LAYOUT) as State
}
