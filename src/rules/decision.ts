import type { SeamEvent } from '../source/event.js'

/** The values of a rule's `groupBy` fields for one group, e.g. `{ device_id: "..." }`. */
export type Group = Record<string, unknown>

/**
 * What a rule decided. The first seven fields are exactly the `replay` output line;
 * the rest give the notifiers what they need to explain the alert.
 */
export interface Decision {
  rule: string
  kind: 'fire' | 'resolve'
  group: Group
  /** The deciding event: the Nth event of a window, the event that opened an absence, the resolving event. */
  event_id: string
  /** ISO: occurred_at of that event; for an absence, the deadline. */
  at: string
  /** Events in the window; 1 otherwise. */
  count: number
  /** Fires suppressed by the throttle since the last fire. */
  suppressed: number
  /** The deciding event itself (for an absence: the event that opened it). */
  event: SeamEvent
  /** For a window: the event ids that made it up, oldest first. */
  eventIds?: string[]
  /** For a resolve: ISO time the incident fired, so the message can say how long it lasted. */
  firedAt?: string
  /** For a resolve: the event_id of the fire it resolves (the thread to reply into). */
  firedEventId?: string
}

/** The replay line: exactly the public fields, in a fixed order. */
export function decisionLine(d: Decision): string {
  return JSON.stringify({
    rule: d.rule,
    kind: d.kind,
    group: d.group,
    event_id: d.event_id,
    at: d.at,
    count: d.count,
    suppressed: d.suppressed,
  })
}

/** The incident a decision belongs to: one per rule and group, shared by the fire and its resolve. */
export function incidentKey(rule: string, group: Group): string {
  return `${rule}|${JSON.stringify(group)}`
}
