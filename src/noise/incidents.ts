import { deleteKeys, ownMap } from '../frozen.js'
import { type Decision, incidentKey } from '../rules/decision.js'
import type { State } from '../state/state-schema.js'
import type { OpenIncident } from './inhibit.js'
import type { Labels } from './labels.js'

/** What the incident bookkeeping needs to know of a rule (read structurally from the live rule). */
export interface IncidentRule {
  resolve?: unknown
  /** ms */
  throttle?: number
}

/**
 * The open incidents (for inhibition and GET /api/v1/incidents): fired and not yet resolved, or, for a rule
 * without `resolve`, fired less than its throttle ago (`openUntil`). Oldest fire first, then by key.
 */
export function openIncidents(state: State, now: number): OpenIncident[] {
  const out: OpenIncident[] = []
  for (const [key, record] of Object.entries(state.noise.open)) {
    if (record.openUntil !== undefined && now >= record.openUntil) continue
    const incident: OpenIncident = { key, rule: record.rule, labels: record.labels, firedAt: record.firedAt }
    if (record.openUntil !== undefined) incident.openUntil = record.openUntil
    const ack = state.noise.acks?.[key]
    if (ack) incident.acknowledged = { by: ack.by, at: ack.at }
    out.push(incident)
  }
  return out.sort((a, b) => a.firedAt - b.firedAt || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
}

/**
 * Phase one of the noise stage: bring the open incidents up to date with every decision of the batch before any
 * alert is checked for inhibition, so the order of events inside a batch cannot change the outcome. A fire opens
 * (or keeps open, with its first fire time) its incident; a resolve closes it. Times are event times.
 * A rule without `resolve` and without `throttle` has no open period: it cannot inhibit.
 */
export function trackIncidents(
  draft: State,
  decisions: readonly Decision[],
  labelsOf: (decision: Decision) => Labels,
  ruleOf: (id: string) => IncidentRule | undefined,
): void {
  for (const decision of decisions) {
    const key = incidentKey(decision.rule, decision.group)
    if (decision.kind === 'resolve') {
      // A shared map (frozen with the last saved state): copied once per update, and only when it changes.
      if (Object.hasOwn(draft.noise.open, key)) delete ownMap(draft.noise, 'open')[key]
      continue
    }
    const open = draft.noise.open
    const rule = ruleOf(decision.rule)
    if (!rule) continue
    const firedAt = Date.parse(decision.at)
    if (rule.resolve) {
      if (!open[key])
        ownMap(draft.noise, 'open')[key] = { rule: decision.rule, labels: { ...labelsOf(decision) }, firedAt }
      continue
    }
    if (!rule.throttle) continue
    ownMap(draft.noise, 'open')[key] = {
      rule: decision.rule,
      labels: { ...labelsOf(decision) },
      firedAt,
      openUntil: firedAt + rule.throttle,
    }
  }
}

/** Drop incidents whose open period ended before `cutoff`. */
export function pruneIncidents(draft: State, cutoff: number): void {
  const ended = Object.entries(draft.noise.open).filter(
    ([, r]) => r.openUntil !== undefined && r.openUntil < cutoff,
  )
  deleteKeys(
    draft.noise,
    'open',
    ended.map(([key]) => key),
  )
}
