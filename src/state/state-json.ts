import { deepFreeze } from '../frozen.js'
import {
  type ContainerLayout,
  childLayout,
  isShared,
  type Layout,
  RECORD,
  STATE_LAYOUT,
} from './state-layout.js'
import type { State } from './state-schema.js'

/**
 * The state as compact JSON bytes, `JSON.stringify(state)` and a newline, made from cached pieces.
 *
 * Each record (see state-layout.ts) is deep-frozen when first serialized, so its text (`,"key":{...}` with the
 * key it sits under) can be computed once and reused by every later save that still holds it; a shared map is
 * frozen the same way, and its whole text reused while no update copies it. A save after a typical poll cycle
 * re-serializes the maps the cycle wrote to (a map lookup per unchanged record, JSON.stringify per new one) and
 * takes the rest whole; the pieces are written straight into one buffer (no joined string to flatten and encode).
 *
 * Pieces are strings, not buffers: small buffers share 8 KiB pool slabs, and one long-lived record would keep its
 * whole slab alive.
 */
interface Piece {
  /** The key the record was serialized under ('' in a list): the same record under another key is re-keyed. */
  key: string
  /** `,` + `"key":` (in a map) + the record's JSON. */
  text: string
  /** UTF-8 size of `text`. */
  bytes: number
}
const pieces = new WeakMap<object, Piece>()

/** Object keys are almost always plain ids: no escaping needed. */
function quoteKey(key: string): string {
  for (let i = 0; i < key.length; i++) {
    const code = key.charCodeAt(i)
    if (code < 0x20 || code === 0x22 || code === 0x5c || code > 0x7e) return JSON.stringify(key)
  }
  return `"${key}"`
}

/** UTF-8 size: a JS scan for the short texts of most records, one native call for long ones. */
const utf8Size = (text: string): number => {
  if (text.length > 256) return Buffer.byteLength(text, 'utf8')
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return Buffer.byteLength(text, 'utf8')
  return text.length
}

/**
 * Writes the pieces straight into one buffer, sized from the last state written (and grown when it is not
 * enough). ASCII text goes in as latin1: the same bytes, copied instead of transcoded.
 */
class Writer {
  buffer: Buffer
  offset = 0
  /** How many texts written so far were not pure ASCII. */
  wide = 0

  constructor(capacity: number) {
    this.buffer = Buffer.allocUnsafe(Math.max(capacity, 4096))
  }

  write(text: string, bytes: number): void {
    if (this.offset + bytes > this.buffer.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.offset + bytes))
      this.buffer.copy(bigger, 0, 0, this.offset)
      this.buffer = bigger
    }
    if (bytes !== text.length) this.wide++
    this.offset += this.buffer.write(text, this.offset, bytes === text.length ? 'latin1' : 'utf8')
  }
}

/** Size of the last state written: the next one is about the same. */
let lastSize = 0

const OPEN_BRACE = 0x7b
const OPEN_BRACKET = 0x5b

/** What comes before a member's value: `,` and, in a map, its quoted key and `:`. */
const memberPrefix = (key: string | undefined): string => (key === undefined ? ',' : `,${quoteKey(key)}:`)

/** The cached text of an object serialized under `key` ('' in a list), if it still holds. */
function cachedPiece(value: object, key: string): Piece | undefined {
  const cached = pieces.get(value)
  return cached !== undefined && cached.key === key ? cached : undefined
}

/** A record's member text (cached when the record is an object), or undefined when JSON leaves it out. */
function recordPiece(value: unknown, key: string | undefined): Piece | undefined {
  if (typeof value !== 'object' || value === null) {
    const json = JSON.stringify(value) // undefined for undefined and functions
    if (json === undefined) return undefined
    const text = memberPrefix(key) + json
    return { key: key ?? '', text, bytes: utf8Size(text) }
  }
  const label = key ?? ''
  const cached = cachedPiece(value, label)
  if (cached) return cached
  const text = memberPrefix(key) + JSON.stringify(value)
  const piece = { key: label, text, bytes: utf8Size(text) }
  deepFreeze(value) // a cached text is only ever reused for a record that cannot change
  pieces.set(value, piece)
  return piece
}

/**
 * Write a member of a container: `,` then `"key":` (in a map) then the value. False (nothing written) when JSON
 * leaves the value out. Every member starts with a comma; the container's bracket later overwrites the first.
 */
function writeMember(out: Writer, value: unknown, layout: Layout, key: string | undefined): boolean {
  if (layout === RECORD || typeof value !== 'object' || value === null) {
    const piece = recordPiece(value, key)
    if (piece === undefined) return false
    out.write(piece.text, piece.bytes)
    return true
  }
  const shared = isShared(layout)
  // A shared map no update has written to since it was last saved: its whole text, as it was.
  const cached = shared ? cachedPiece(value, key ?? '') : undefined
  if (cached) {
    out.write(cached.text, cached.bytes)
    return true
  }
  const start = out.offset
  const wide = out.wide
  const prefix = memberPrefix(key)
  out.write(prefix, utf8Size(prefix))
  writeContainer(out, value as object, layout)
  if (shared) {
    // From now on it can only be replaced (ownMap copies it), so its text stays true.
    Object.freeze(value)
    const ascii = out.wide === wide
    const text = out.buffer.toString(ascii ? 'latin1' : 'utf8', start, out.offset)
    pieces.set(value, { key: key ?? '', text, bytes: out.offset - start })
  }
  return true
}

/** Write a map or list: its members, then the opening bracket over the first member's comma, then the closing. */
function writeContainer(out: Writer, value: object, layout: ContainerLayout): void {
  const start = out.offset
  const list = Array.isArray(value)
  if (list) {
    const child = childLayout(layout, '*')
    for (const item of value) if (!writeMember(out, item, child, undefined)) out.write(',null', 5)
  } else {
    const map = value as Record<string, unknown>
    // Object.keys, not for-in: big maps are in dictionary mode, where for-in re-checks every key.
    const keys = Object.keys(map)
    for (const key of keys) writeMember(out, map[key], childLayout(layout, key), key)
  }
  if (out.offset === start) out.write(list ? '[]' : '{}', 2)
  else {
    out.buffer[start] = list ? OPEN_BRACKET : OPEN_BRACE
    out.write(list ? ']' : '}', 1)
  }
}

/**
 * `JSON.stringify(state)` and a newline, as UTF-8. Deep-freezes every record and freezes every shared map of
 * `state` on the way (the ones already frozen are those whose text is reused): from then on they can only be
 * replaced (records) or copied before a write (maps, with `ownMap`).
 */
export function stateJson(state: State): Buffer {
  const out = new Writer(lastSize + (lastSize >> 3))
  writeContainer(out, state, STATE_LAYOUT)
  out.write('\n', 1)
  lastSize = out.offset
  return out.buffer.subarray(0, out.offset)
}
