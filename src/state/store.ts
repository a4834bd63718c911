import type { State } from './state-schema.js'

/**
 * Where the daemon's memory lives. The daemon works on a copy, calls `save` once per cycle, and only adopts
 * the copy after `save` resolved: a failed save leaves the last durable state in charge.
 */
export interface Store {
  /** The saved state, or null when there is none yet. Throws a STATE_CORRUPT error on a damaged file. */
  load(): Promise<State | null>
  /** Atomically and durably replace the saved state. Throws STATE_WRITE_FAILED (disk full, permissions). */
  save(state: State): Promise<void>
  /** Release the lock and any handle. */
  close(): Promise<void>
}
