/**
 * What a leader term's components check before they act. A file-backed daemon has none (it is always the leader:
 * the state file's lock is its lease).
 */
export interface LeaderGuard {
  /**
   * True while this replica holds the lease and it is valid on the monotonic clock. Checked immediately before
   * each poll cycle, each outbox send and each state write: a process resumed after a freeze past its lease sees
   * false here before it can act, even before its timers have run.
   */
  mayAct(): boolean
  /** Aborted the moment the lease is lost: fetches and sends in flight end (the items stay queued). */
  readonly lost: AbortSignal
  /** A component learnt the lease is gone (a state write was fenced): step down now. */
  resign(reason: string): void
}
