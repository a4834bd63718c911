import type { Decision } from '../rules/decision.js'
import type { Escape } from './escape.js'
import { formatDuration, formatTime } from './format.js'
import type { AlertMessage } from './notifier.js'
import { renderTemplate, valueText } from './template.js'

/** One line of a rollup digest: every rolled-up alert keeps its event_id. */
export interface RollupLine {
  eventId: string
  group: string
  device?: string
  time: string
}

/**
 * Everything a message says, target-neutral and unescaped. Renderers (Block Kit, plain text, HTML) escape
 * every value for their target; templates are rendered through `title()`/`body()` with the target's escape.
 */
export interface AlertContent {
  id: string
  kind: 'fire' | 'resolve'
  severity: string
  ruleId: string
  description?: string
  eventId: string
  eventType: string
  /** `event_id`s of a window, when there was one. */
  eventIds?: string[]
  deviceId?: string
  deviceName?: string
  /** Decision time in the configured timezone. */
  time: string
  count: number
  suppressed: number
  /** Resolve: how long the incident lasted (`2h 5m`). */
  duration?: string
  group: Array<[string, string]>
  /** Key facts of the event (label, value), besides type and device. */
  facts: Array<[string, string]>
  rollup?: RollupLine[]
  /** The queued copy of the event was trimmed (bounded-event.ts): the message says so. */
  eventTrimmed?: boolean
  /** Title with values escaped by `esc`. */
  title(esc: Escape): string
  /** Body text from the action's `text` template, or undefined when there is none. */
  body(esc: Escape): string | undefined
}

const SKIP_FACTS = new Set([
  'event_id',
  'event_type',
  'workspace_id',
  'created_at',
  'occurred_at',
  'device_id',
])
const MAX_FACTS = 6

export const SEVERITY_MARK: Record<string, string> = { info: 'ℹ️', warning: '⚠️', critical: '🚨' }

function deviceOf(decision: Decision): string | undefined {
  const fromGroup = decision.group?.device_id
  if (typeof fromGroup === 'string' && fromGroup) return fromGroup
  const fromEvent = decision.event?.device_id
  return typeof fromEvent === 'string' && fromEvent ? fromEvent : undefined
}

/** Scalar event fields worth showing: not the ones shown elsewhere (type, device, group keys), not empty. */
function keyFacts(decision: Decision): Array<[string, string]> {
  const facts: Array<[string, string]> = []
  const groupKeys = new Set(Object.keys(decision.group ?? {}))
  for (const [key, value] of Object.entries(decision.event ?? {})) {
    if (SKIP_FACTS.has(key) || groupKeys.has(key) || value === null || value === undefined) continue
    if (typeof value === 'object' || value === '') continue
    facts.push([key, valueText(value)])
    if (facts.length >= MAX_FACTS) break
  }
  return facts
}

function durationOf(decision: Decision): string | undefined {
  if (decision.kind !== 'resolve' || !decision.firedAt) return undefined
  const ms = Date.parse(decision.at) - Date.parse(decision.firedAt)
  return Number.isFinite(ms) ? formatDuration(ms) : undefined
}

/** The template context: `{{event.*}}`, `{{rule.*}}`, `{{group.*}}`, `{{count}}`, `{{suppressed}}`, `{{device.*}}`. */
export function templateContext(message: AlertMessage): Record<string, unknown> {
  const d = message.decision
  const deviceId = deviceOf(d)
  return {
    event: d.event,
    rule: { id: message.rule.id, description: message.rule.description, severity: message.rule.severity },
    group: d.group,
    count: d.count,
    suppressed: d.suppressed,
    kind: d.kind,
    event_id: d.event_id,
    at: d.at,
    time: formatTime(d.at, message.timezone),
    duration: durationOf(d),
    device: { id: deviceId, name: message.deviceName ?? deviceId },
  }
}

/**
 * The title when the action has no `title` template: the rule description (or id), then the device. It never
 * says "resolved": every renderer already prefixes the state (`[RESOLVED]`, `✅ RESOLVED`, `Resolved:`).
 */
function defaultTitle(message: AlertMessage, deviceName: string | undefined): string {
  const d = message.decision
  const what = message.rule.description?.trim() || message.rule.id
  if (message.rollup && message.rollup.length > 0) {
    const noun = d.kind === 'resolve' ? 'incidents' : 'alerts'
    return `${what}: ${message.rollup.length} ${noun} rolled up`
  }
  // The device first: in a list of notifications the place is what a reader scans for.
  return deviceName ? `${deviceName}: ${what}` : what
}

function groupText(group: Record<string, unknown>): string {
  return Object.entries(group)
    .map(([k, v]) => `${k}=${valueText(v)}`)
    .join(', ')
}

/** Build the content of one alert (or rollup). */
export function buildAlertContent(message: AlertMessage): AlertContent {
  const d = message.decision
  const deviceId = deviceOf(d)
  const deviceName = message.deviceName ?? deviceId
  const context = templateContext(message)
  const { title: titleTemplate, text: textTemplate } = message.action
  const rollup = message.rollup?.map(
    (r): RollupLine => ({
      eventId: r.event_id,
      group: groupText(r.group ?? {}),
      device: deviceOf(r),
      time: formatTime(r.at, message.timezone),
    }),
  )
  return {
    id: message.id,
    kind: d.kind,
    severity: message.rule.severity ?? 'warning',
    ruleId: message.rule.id,
    description: message.rule.description,
    eventId: d.event_id,
    eventType: valueText(d.event?.event_type),
    eventIds: d.eventIds,
    deviceId,
    deviceName,
    time: formatTime(d.at, message.timezone),
    count: d.count,
    suppressed: d.suppressed,
    duration: durationOf(d),
    group: Object.entries(d.group ?? {}).map(([k, v]) => [k, valueText(v)]),
    facts: keyFacts(d),
    rollup,
    ...((d as { eventTrimmed?: boolean }).eventTrimmed ? { eventTrimmed: true } : {}),
    title: (esc) =>
      titleTemplate && !rollup
        ? renderTemplate(titleTemplate, context, esc)
        : esc(defaultTitle(message, deviceName)),
    body: (esc) => (textTemplate && !rollup ? renderTemplate(textTemplate, context, esc) : undefined),
  }
}

/** What an alert built from a trimmed copy of its event says (bounded-event.ts). */
export const TRIMMED_NOTE =
  'event trimmed for storage (long values cut, marked "(trimmed…)"); the full event is in Seam under its event_id'

/** The summary lines every target shows (label, value); values unescaped. */
export function summaryLines(content: AlertContent): Array<[string, string]> {
  const lines: Array<[string, string]> = []
  if (content.rollup) {
    lines.push(['Alerts', String(content.rollup.length)])
  } else {
    if (content.eventType) lines.push(['Event', content.eventType])
    if (content.deviceId) {
      const name =
        content.deviceName && content.deviceName !== content.deviceId ? content.deviceName : undefined
      lines.push(['Device', name ? `${name} (${content.deviceId})` : content.deviceId])
    }
    for (const [k, v] of content.group) if (k !== 'device_id') lines.push([k, v])
    lines.push(...content.facts)
    if (content.count > 1) lines.push(['Count', String(content.count)])
    if (content.suppressed > 0) lines.push(['Suppressed', String(content.suppressed)])
    if (content.duration) lines.push(['Lasted', content.duration])
    if (content.eventTrimmed) lines.push(['Note', TRIMMED_NOTE])
  }
  lines.push(['Time', content.time])
  return lines
}

/** The trace line: rule id and event_id, so any alert can be traced back to its event. */
export function traceText(content: AlertContent): string {
  return `rule ${content.ruleId} · event_id ${content.eventId} · ${content.severity}`
}
