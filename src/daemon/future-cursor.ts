import type { Clock } from '../clock.js'
import { formatDuration } from '../duration.js'
import type { Logger } from '../log.js'
import { enqueueMonitorAlert } from '../notify/outbox.js'
import type { Action } from '../rules/action-schema.js'
import type { State } from '../state/state-schema.js'
import type { StateAccess } from '../state/store.js'
import { metaDecision } from './self-monitor.js'

/**
 * How far the point the source reads from may be ahead of the host clock before it counts as wrong. The source
 * itself only ever moves the cursor up to its poll's start time, so anything past this came from a clock that
 * jumped forward and back, an edited or copied state file, or a start time in the future.
 */
export const CURSOR_SKEW_ALLOWANCE_MS = 5 * 60_000

const iso = (ms: number) => new Date(ms).toISOString()

export interface FutureCursorGuardOptions {
  state: StateAccess
  clock: Clock
  logger: Logger
  /** seam.lookback: the cursor is put back to now, so the next poll re-reads from now - lookback. */
  lookbackMs: number
  /** seam.startFrom: where a fresh state starts. */
  startFrom: 'now' | string
  /** Where the `seam-alerts.monitor:clock` meta-alert goes (monitor.actions). */
  monitorActions: () => Action[]
  onQueued: () => void
}

/** Where the next poll would start reading, and what set it: the cursor, else the floor, else seam.startFrom. */
function startPoint(source: State['source'], startFrom: string): { at: number; what: string; text: string } {
  if (source.cursor !== null)
    return { at: Date.parse(source.cursor), what: 'event cursor', text: source.cursor }
  if (source.floor) return { at: Date.parse(source.floor), what: 'start point (floor)', text: source.floor }
  if (startFrom === 'now') return { at: Number.NaN, what: '', text: '' }
  return { at: Date.parse(startFrom), what: 'seam.startFrom', text: startFrom }
}

/**
 * Before every poll (so at start and while running): when the cursor is later than now plus
 * CURSOR_SKEW_ALLOWANCE_MS, no event would ever be read again until the clock caught up, while /healthz says all is
 * well. Put it back instead, in ONE state update: cursor := now, so the poll re-reads the last lookback (the seen
 * ids, kept from the newest event's time, hand nothing on twice); a floor in the future goes to now - lookback too.
 * It is logged as an error and raised as the `seam-alerts.monitor:clock` meta-alert. Returns true when it acted.
 */
export async function correctFutureCursor(opts: FutureCursorGuardOptions): Promise<boolean> {
  const now = opts.clock.now()
  const source = opts.state.current().source
  const start = startPoint(source, opts.startFrom)
  if (!(start.at > now + CURSOR_SKEW_ALLOWANCE_MS)) return false
  const floorAt = source.floor ? Date.parse(source.floor) : Number.NaN
  const floor = floorAt > now + CURSOR_SKEW_ALLOWANCE_MS ? iso(now - opts.lookbackMs) : (source.floor ?? null)
  const detail =
    `${start.what} ${start.text} is ${formatDuration(start.at - now)} ahead of the host clock (${iso(now)}): ` +
    `the clock jumped, or the state file or config holds a time in the future. No event would be read until then; ` +
    `reading again from ${iso(now - opts.lookbackMs)} (now - seam.lookback). Check the host clock (NTP).`
  opts.logger.error({ cursor: start.text, now: iso(now), aheadMs: start.at - now }, detail)
  const queued = await opts.state.update((draft) => {
    draft.source = { cursor: iso(now), seen: draft.source.seen, floor }
    draft.updatedAt = now
    return enqueueMonitorAlert(
      draft,
      metaDecision('clock', now, now, detail, false),
      opts.monitorActions(),
      now,
    )
  })
  if (queued > 0) opts.onQueued()
  else if (opts.monitorActions().length === 0)
    opts.logger.warn(
      { check: 'clock' },
      'self-monitor: no monitor.actions configured, the meta-alert is only logged',
    )
  return true
}
