import type { State } from './state-schema.js'

/**
 * Where the daemon's memory lives. The daemon works on a copy, calls `save` once per cycle, and only adopts
 * the copy after `save` resolved: a failed save leaves the last durable state in charge.
 */
export interface Store {
  /** The saved state, or null when there is none yet. Throws a STATE_CORRUPT error on a damaged file. */
  load(): Promise<State | null>
  /**
   * Atomically and durably replace the saved state. `json` is `stateJson(state)` when the caller has it already
   * (StateHolder does: serializing is what freezes the records it shares between drafts); else the store
   * serializes the state itself.
   * Throws STATE_WRITE_FAILED (disk full, permissions).
   */
  save(state: State, json?: Buffer): Promise<void>
  /** Size in bytes of the last successful save, when the store knows it (reported to metrics). */
  readonly lastSaveBytes?: number
  /** Release the lock and any handle. */
  close(): Promise<void>
}

/**
 * Shared, serialized access to the live state for the daemon's loops (polling, delivery, timers, digests).
 * Implemented in the state module (StateHolder) on top of a Store.
 */
export interface StateAccess {
  /** The last durable state. Read-only: never mutate it. */
  current(): State
  /**
   * Apply `mutate` to a draft, persist the draft, then adopt it. Updates run one at a time in call order.
   * If saving fails the promise rejects and the current state is unchanged.
   *
   * The draft's records (a window's entries, a throttle, an outbox item, ...) and big maps (a rule's groups,
   * `devices`, `threads`, a digest rule's groups) are frozen and shared with the current state: replace a record
   * instead of changing it, and write to a big map through `ownMap` / `bucket` (src/frozen.ts, src/rules/group.ts),
   * which copies it once per update. A write in place throws a TypeError and changes nothing.
   */
  update<T>(mutate: (draft: State) => T): Promise<T>
}
