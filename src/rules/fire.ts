import type { SeamEvent } from '../source/event.js'
import type { CompiledRule } from './compiled-rule.js'
import type { Decision, Group } from './decision.js'
import { bucket, groupObject, iso } from './group.js'
import type { RuleState } from './rule-state.js'

/**
 * A group of a rule fires: apply the throttle (a fire within `throttle` of the last one is suppressed and counted),
 * open an incident for rules with `resolve`, and build the decision. Returns null when suppressed.
 */
export function fire(
  state: RuleState,
  compiled: CompiledRule,
  key: string,
  group: Group | (() => Group),
  event: SeamEvent,
  at: number,
  /** `at` as the event wrote it (its occurred_at), reused when already canonical ISO; undefined for a deadline. */
  atText: string | undefined,
  count: number,
  eventIds?: string[],
): Decision | null {
  const { rule } = compiled
  let suppressed = 0
  if (rule.throttle !== undefined) {
    const throttles = bucket(state.throttles, rule.id)
    const last = throttles[key]
    // A throttle that expired with nothing suppressed (lastFireAt + throttle <= clock) counts as gone whether or not
    // the periodic sweep has removed it yet, so a late event is judged the same way in the daemon and in replay.
    const live = last !== undefined && (last.suppressed > 0 || last.lastFireAt + rule.throttle > state.clock)
    // Replaced, never changed in place: the record may be shared with the last saved state (frozen).
    if (live && at < last.lastFireAt + rule.throttle) {
      throttles[key] = { lastFireAt: last.lastFireAt, suppressed: last.suppressed + 1 }
      return null
    }
    suppressed = live ? last.suppressed : 0
    throttles[key] = { lastFireAt: at, suppressed: 0 }
  }
  if (rule.resolve) {
    const incidents = bucket(state.incidents, rule.id)
    if (!incidents[key]) incidents[key] = { firedAt: at, event_id: event.event_id }
  }
  const decision: Decision = {
    rule: rule.id,
    kind: 'fire',
    group: typeof group === 'function' ? group() : group,
    event_id: event.event_id,
    at: iso(at, atText),
    count,
    suppressed,
    event,
  }
  if (eventIds) decision.eventIds = eventIds
  return decision
}

/** A resolving event for a group: emits a resolve when the group has an open incident, and closes it. */
export function resolve(
  state: RuleState,
  compiled: CompiledRule,
  key: string,
  event: SeamEvent,
  at: number,
  /** `at` as the event wrote it (its occurred_at), reused when already canonical ISO; undefined when clamped. */
  atText: string | undefined = event.occurred_at,
): Decision | null {
  const incident = state.incidents[compiled.rule.id]?.[key]
  if (!incident) return null
  delete bucket(state.incidents, compiled.rule.id)[key]
  return {
    rule: compiled.rule.id,
    kind: 'resolve',
    group: groupObject(compiled.rule.groupBy, event),
    event_id: event.event_id,
    at: iso(at, atText),
    count: 1,
    suppressed: 0,
    event,
    firedAt: iso(incident.firedAt),
    firedEventId: incident.event_id,
  }
}
