import type { State } from './state-schema.js'

/** The numbers `seam-alerts state show` prints: what the daemon remembers, at a glance. */
export interface StateSummary {
  savedAt: string | null
  cursor: string | null
  floor: string | null
  /** now - cursor, ms; null without a cursor. */
  lagMs: number | null
  seenIds: number
  windows: { open: number; entries: number }
  timers: { open: number; nextDeadline: string | null }
  throttles: number
  incidents: number
  outbox: { items: number; retrying: number; held: number; oldestCreatedAt: string | null }
  deadLetters: { items: number; newestAt: string | null }
  sent: number
  threads: number
  devices: number
  digests: { rules: number; groups: number }
  monitor: Record<string, { since: string; alerted: boolean }>
  /** Events read but not processed (rejected: invalid or over a limit; failed: threw), most recent last. */
  skippedEvents: Array<{
    at: string
    stage: 'rejected' | 'failed'
    eventId: string | null
    eventType: string | null
    origin: string
    reason: string
  }>
}

/** Skipped events `state show` prints (all of them are in --json). */
const SKIPPED_SHOWN = 10

/** Event ids and reasons come from Seam's data: control and bidi characters are shown escaped, never sent raw. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: escaping control characters is the point
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g
const printable = (text: string) =>
  text.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)

const iso = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? null : new Date(ms).toISOString()
const min = (values: number[]) => (values.length ? Math.min(...values) : null)
const max = (values: number[]) => (values.length ? Math.max(...values) : null)

export function summarizeState(state: State, now: number): StateSummary {
  const windows = Object.values(state.rules.windows).flatMap((groups) => Object.values(groups))
  const openWindows = windows.filter((entries) => entries.length > 0)
  const timers = Object.values(state.rules.timers).flatMap((groups) => Object.values(groups))
  const count = (byRule: Record<string, Record<string, unknown>>) =>
    Object.values(byRule).reduce((sum, groups) => sum + Object.keys(groups).length, 0)
  const cursorMs = state.source.cursor ? Date.parse(state.source.cursor) : Number.NaN
  return {
    savedAt: state.updatedAt ? iso(state.updatedAt) : null,
    cursor: state.source.cursor,
    floor: state.source.floor ?? null,
    lagMs: Number.isNaN(cursorMs) ? null : Math.max(0, now - cursorMs),
    seenIds: Object.keys(state.source.seen).length,
    windows: { open: openWindows.length, entries: openWindows.reduce((sum, e) => sum + e.length, 0) },
    timers: { open: timers.length, nextDeadline: iso(min(timers.map((t) => t.deadline))) },
    throttles: count(state.rules.throttles),
    incidents: count(state.rules.incidents),
    outbox: {
      items: state.outbox.length,
      retrying: state.outbox.filter((item) => item.attempts > 0).length,
      held: state.outbox.filter((item) => (item.heldUntil ?? 0) > now).length,
      oldestCreatedAt: iso(min(state.outbox.map((item) => item.createdAt))),
    },
    deadLetters: {
      items: state.deadLetters.length,
      newestAt: iso(max(state.deadLetters.map((d) => d.deadAt))),
    },
    sent: state.sent.length,
    threads: Object.keys(state.threads).length,
    devices: Object.keys(state.devices).length,
    digests: { rules: Object.keys(state.digests).length, groups: count(state.digests) },
    monitor: Object.fromEntries(
      Object.entries(state.monitor).map(([key, m]) => [
        key,
        { since: iso(m.since) ?? '', alerted: m.alerted },
      ]),
    ),
    skippedEvents: (state.skippedEvents ?? []).map((e) => ({
      at: iso(e.at) ?? '',
      stage: e.stage,
      eventId: e.eventId ?? null,
      eventType: e.eventType ?? null,
      origin: e.origin,
      reason: e.reason,
    })),
  }
}

/** "3h 2m", "45s": a rough human duration. */
export function humanDuration(ms: number): string {
  const s = Math.round(ms / 1000)
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m ${s % 60}s`
  const h = Math.floor(m / 60)
  if (h < 48) return `${h}h ${m % 60}m`
  return `${Math.floor(h / 24)}d ${h % 24}h`
}

export function humanBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}

/** The readable block of `state show`. */
export function formatSummary(s: StateSummary): string[] {
  const lines = [
    `Saved         ${s.savedAt ?? 'never'}`,
    `Cursor        ${s.cursor ?? 'none (nothing read yet)'}${s.lagMs === null ? '' : ` (lag ${humanDuration(s.lagMs)})`}`,
  ]
  if (s.floor) lines.push(`Floor         ${s.floor} (events before it are never read)`)
  lines.push(
    `Seen ids      ${s.seenIds}`,
    `Windows       ${s.windows.open} open (${s.windows.entries} events)`,
    `Timers        ${s.timers.open} open${s.timers.nextDeadline ? ` (next deadline ${s.timers.nextDeadline})` : ''}`,
    `Throttles     ${s.throttles}`,
    `Incidents     ${s.incidents} open`,
    `Outbox        ${s.outbox.items} waiting (${s.outbox.retrying} retrying, ${s.outbox.held} held)${s.outbox.oldestCreatedAt ? `, oldest ${s.outbox.oldestCreatedAt}` : ''}`,
    `Dead letters  ${s.deadLetters.items}${s.deadLetters.items ? ` (newest ${s.deadLetters.newestAt}; see: seam-alerts state dead-letters)` : ''}`,
    `Sent          ${s.sent} records`,
    `Threads       ${s.threads}`,
    `Device names  ${s.devices} cached`,
    `Digests       ${s.digests.rules} rules, ${s.digests.groups} groups collecting`,
  )
  for (const [key, m] of Object.entries(s.monitor)) {
    lines.push(`Monitor       ${key} since ${m.since}${m.alerted ? ' (alerted)' : ''}`)
  }
  const skipped = s.skippedEvents
  lines.push(
    `Skipped       ${skipped.length} recent event(s) not processed${skipped.length > SKIPPED_SHOWN ? ` (latest ${SKIPPED_SHOWN} below; all with --json)` : ''}`,
  )
  for (const e of skipped.slice(-SKIPPED_SHOWN).reverse()) {
    const what = `${e.eventId ?? '(no event_id)'}${e.eventType ? ` ${e.eventType}` : ''}`
    lines.push(printable(`  ${e.at}  ${e.stage}  ${what} from ${e.origin}: ${e.reason}`))
  }
  return lines
}
