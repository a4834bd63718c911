import { inhibitedBy, type OpenIncident } from '../noise/inhibit.js'
import { alertLabels } from '../noise/labels.js'
import { type Decision, decisionLine, type Group, incidentKey } from './decision.js'
import type { RuleSet } from './rule-set.js'

/** The source incident an inhibited replay line names: its rule, group and the event_id of its fire. */
export interface InhibitingIncident {
  rule: string
  group: Group
  event_id: string
}

/**
 * A replay line: the decision line, and for an inhibited alert `"inhibited": true` and `"inhibitedBy"` (the source
 * incident) after the usual fields. Lines of alerts nothing inhibits are exactly decisionLine.
 */
export function replayLine(decision: Decision, by: InhibitingIncident | undefined): string {
  if (!by) return decisionLine(decision)
  return `${decisionLine(decision).slice(0, -1)},"inhibited":true,"inhibitedBy":${JSON.stringify(by)}}`
}

/**
 * `inhibitedBy` in replay, on event time. An incident of a source rule (one some rule's `inhibitedBy` names) is
 * open from its fire until its resolve, or, for a rule without `resolve`, until its throttle has passed after the
 * fire. A fire of a target rule is inhibited when an open source incident has equal labels on the entry's `equal`
 * names (src/noise/inhibit.ts); a resolve is inhibited exactly when the fire it resolves was, by the same incident.
 *
 * Decisions are judged one batch at a time (the decisions of one event, or of one round of absence deadlines):
 * the batch's source fires and resolves are applied first, so the order of rules within a batch (rule id order)
 * never changes the outcome.
 */
export class ReplayInhibition {
  readonly #sources: ReadonlySet<string>
  readonly #open = new Map<string, OpenIncident & { by: InhibitingIncident }>()
  /** Target incidents whose opening fire was inhibited: key to that fire's event_id and its inhibitor. */
  readonly #held = new Map<string, { eventId: string; by: InhibitingIncident }>()

  constructor(private readonly ruleSet: RuleSet) {
    this.#sources = new Set(ruleSet.compiled.flatMap((c) => c.rule.inhibitedBy.map((entry) => entry.rule)))
  }

  /** Whether any enabled rule has `inhibitedBy` (when not, judge() is never needed). */
  get active(): boolean {
    return this.#sources.size > 0
  }

  /** The inhibiting incident of each decision of one batch (undefined: not inhibited), in the batch's order. */
  judge(batch: readonly Decision[]): (InhibitingIncident | undefined)[] {
    for (const decision of batch) if (this.#sources.has(decision.rule)) this.#track(decision)
    return batch.map((decision) => this.#judgeOne(decision))
  }

  #track(decision: Decision): void {
    const rule = this.ruleSet.get(decision.rule)
    if (!rule) return
    const key = incidentKey(decision.rule, decision.group)
    if (decision.kind === 'resolve') {
      this.#open.delete(key)
      return
    }
    // A rule with resolve keeps the incident its first fire opened; without, each fire restarts the window.
    if (rule.resolve && this.#open.has(key)) return
    const firedAt = Date.parse(decision.at)
    this.#open.set(key, {
      key,
      rule: decision.rule,
      labels: alertLabels(decision, { severity: rule.severity }),
      firedAt,
      ...(rule.resolve ? {} : { openUntil: firedAt + (rule.throttle ?? 0) }),
      by: { rule: decision.rule, group: decision.group, event_id: decision.event_id },
    })
  }

  #judgeOne(decision: Decision): InhibitingIncident | undefined {
    const rule = this.ruleSet.get(decision.rule)
    if (!rule || rule.inhibitedBy.length === 0) return undefined
    const key = incidentKey(decision.rule, decision.group)
    if (decision.kind === 'resolve') {
      const held = this.#held.get(key)
      this.#held.delete(key)
      return held && held.eventId === decision.firedEventId ? held.by : undefined
    }
    const alert = { rule: rule.id, labels: alertLabels(decision, { severity: rule.severity }) }
    const found = inhibitedBy(alert, rule.inhibitedBy, this.#open.values(), Date.parse(decision.at))
    if (!found) return undefined
    const by = (found.incident as OpenIncident & { by: InhibitingIncident }).by
    if (rule.resolve && !this.#held.has(key)) this.#held.set(key, { eventId: decision.event_id, by })
    return by
  }
}
