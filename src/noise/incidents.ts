import type { State } from '../state/state-schema.js'
import type { OpenIncident } from './inhibit.js'

/**
 * The open incidents of the state, for `GET /api/v1/incidents`, in the shape inhibition uses (inhibit.ts).
 *
 * MINIMAL VERSION (issue 12, local API branch): it derives what it can from what the state already holds, and is
 * meant to be replaced by the noise-control stage's own `openIncidents` (same signature) at merge:
 * - an incident is open while `state.rules.incidents[rule][groupKey]` exists (rules with `resolve`: fired and not
 *   yet resolved). Rules without `resolve` ("open within the throttle") need the rule set, which this signature
 *   does not get, so they are not listed here.
 * - `labels` are `rule` plus the groupBy fields, recovered from the thread record of the fire
 *   (`state.threads[incidentKey(rule, group)]`, whose key holds the group object) when the fire was delivered;
 *   otherwise only `rule`.
 * - `firedAt` is the fire's occurred_at (epoch ms), as the evaluator stores it.
 */
export function openIncidents(state: State, now: number): OpenIncident[] {
  void now
  const groups = groupsByRuleAndKey(state)
  const out: OpenIncident[] = []
  for (const [rule, incidents] of Object.entries(state.rules.incidents)) {
    for (const [groupKey, incident] of Object.entries(incidents)) {
      const group = groups.get(`${rule}\u0000${groupKey}`)
      const labels: Record<string, string> = {}
      for (const [name, value] of Object.entries(group?.values ?? {})) {
        if (value !== null && value !== undefined && value !== '')
          labels[name] = typeof value === 'string' ? value : JSON.stringify(value)
      }
      labels.rule = rule
      out.push({ key: group?.key ?? `${rule}|${groupKey}`, rule, labels, firedAt: incident.firedAt })
    }
  }
  return out.sort((a, b) => a.firedAt - b.firedAt || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
}

/** Thread keys are `incidentKey(rule, group)` = `rule|{"field":value,...}`; index them by rule and group key. */
function groupsByRuleAndKey(state: State): Map<string, { key: string; values: Record<string, unknown> }> {
  const out = new Map<string, { key: string; values: Record<string, unknown> }>()
  for (const key of Object.keys(state.threads)) {
    const bar = key.indexOf('|')
    if (bar < 0) continue
    try {
      const values = JSON.parse(key.slice(bar + 1)) as unknown
      if (values === null || typeof values !== 'object' || Array.isArray(values)) continue
      const record = values as Record<string, unknown>
      // The evaluator's group key: JSON of the groupBy values in groupBy order ('[]' without groupBy).
      out.set(`${key.slice(0, bar)}\u0000${JSON.stringify(Object.values(record))}`, { key, values: record })
    } catch {
      // not a group key: skip
    }
  }
  return out
}
