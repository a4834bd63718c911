import { ownMap } from '../frozen.js'
import type { Action } from '../rules/action-schema.js'
import type { Decision } from '../rules/decision.js'
import type { DigestEntry, State } from '../state/state-schema.js'

/** Event ids kept per group; the count keeps counting past it and the summary says how many were left out. */
export const DIGEST_MAX_IDS = 200

/** The synthetic event type of a digest summary alert. */
export const DIGEST_EVENT_TYPE = 'seam_alerts.digest'

/** Add one fire of a digest rule to the collected entries (state.digests[rule][groupKey]). */
export function collectDigestFire(draft: State, decision: Decision): void {
  const byGroup = ownMap(draft.digests, decision.rule)
  const key = JSON.stringify(decision.group ?? {})
  const stored = byGroup[key]
  // A stored entry may be shared with the last saved state (frozen): change a copy.
  const entry: DigestEntry =
    stored === undefined
      ? { group: decision.group ?? {}, count: 0, firstAt: decision.at, lastAt: decision.at, eventIds: [] }
      : Object.isFrozen(stored)
        ? { ...stored, eventIds: [...stored.eventIds] }
        : stored
  byGroup[key] = entry
  entry.count += 1
  if (Date.parse(decision.at) < Date.parse(entry.firstAt)) entry.firstAt = decision.at
  if (Date.parse(decision.at) > Date.parse(entry.lastAt)) entry.lastAt = decision.at
  if (entry.eventIds.length < DIGEST_MAX_IDS) entry.eventIds.push(decision.event_id)
}

function groupLabel(group: Record<string, unknown>): string {
  const parts = Object.entries(group).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
  return parts.length > 0 ? parts.join(', ') : '(all)'
}

/** The summary as a plain-text table: group | fires | first seen | last seen | event ids. */
export function digestTable(entries: DigestEntry[]): string {
  const rows = entries.map((e) => {
    const more = e.count > e.eventIds.length ? ` (+${e.count - e.eventIds.length} more)` : ''
    return [groupLabel(e.group), String(e.count), e.firstAt, e.lastAt, e.eventIds.join(' ') + more]
  })
  const header = ['group', 'fires', 'first seen', 'last seen', 'event ids']
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join(' | ')
      .trimEnd()
  return [line(header), ...rows.map(line)].join('\n')
}

/**
 * The one alert a digest sends: a `fire` decision of the digest rule whose synthetic event carries the table
 * (`digest.table`), the totals and every collected event id (`eventIds`), so the message stays traceable.
 */
export function digestDecision(ruleId: string, entries: DigestEntry[], now: number): Decision {
  const sorted = [...entries].sort((a, b) => b.count - a.count || a.firstAt.localeCompare(b.firstAt))
  const at = new Date(now).toISOString()
  const eventId = `digest:${ruleId}:${at}`
  const fires = sorted.reduce((sum, e) => sum + e.count, 0)
  const eventIds = sorted.flatMap((e) => e.eventIds)
  const firstAt = sorted.map((e) => e.firstAt).sort()[0] ?? at
  const lastAt =
    sorted
      .map((e) => e.lastAt)
      .sort()
      .at(-1) ?? at
  return {
    rule: ruleId,
    kind: 'fire',
    group: {},
    event_id: eventId,
    at,
    count: fires,
    suppressed: 0,
    eventIds,
    event: {
      event_id: eventId,
      event_type: DIGEST_EVENT_TYPE,
      created_at: at,
      occurred_at: at,
      fires,
      groups: sorted.length,
      first_seen: firstAt,
      last_seen: lastAt,
      // Nested, so channels show it only through the digest template (not as a one-line fact).
      digest: { table: digestTable(sorted) },
    },
  }
}

/**
 * The actions a digest summary is sent through: the rule's actions with title and text templates that show the
 * table (as a code block in Slack, so the columns line up).
 */
export function digestActions(actions: readonly Action[]): Action[] {
  const title = 'Digest for rule {{rule.id}}: {{event.fires}} fires in {{event.groups}} groups'
  return actions.map((action): Action => {
    const text = action.type === 'slack' ? '```\n{{event.digest.table}}\n```' : '{{event.digest.table}}'
    return { ...action, title, text }
  })
}
