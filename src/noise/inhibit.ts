import type { InhibitRule } from '../rules/inhibit-schema.js'
import type { Labels } from './labels.js'

/**
 * Inhibition, modelled on Alertmanager's inhibit/inhibit.go with `source_matchers` = `rule=<inhibitedBy.rule>` and
 * `target_matchers` = the inhibited rule: an alert is held back while an open incident of the source rule has
 * equal values for every `equal` label. Which incidents are open is the caller's bookkeeping.
 */
export interface OpenIncident {
  /** incidentKey(rule, group). */
  key: string
  rule: string
  /** The labels of the alert that opened it (its fire). */
  labels: Labels
  /** Epoch ms of the fire. */
  firedAt: number
  /**
   * For a rule without `resolve`: the incident counts as open until here (the fire plus the throttle).
   * Undefined: open until its resolve, after which the caller drops it.
   */
  openUntil?: number
  /** Acknowledged (Slack actions): by whom (a Slack user id) and when (epoch ms). */
  acknowledged?: { by: string; at: number }
}

export interface Inhibition {
  incident: OpenIncident
  entry: InhibitRule
}

/** Alertmanager compares `a.Labels[n] != lset[n]`: an absent label is "", so absent on both sides is equal. */
function equalOn(names: readonly string[], a: Labels, b: Labels): boolean {
  for (const name of names) {
    const left = Object.hasOwn(a, name) ? a[name] : ''
    const right = Object.hasOwn(b, name) ? b[name] : ''
    if (left !== right) return false
  }
  return true
}

const earlier = (a: OpenIncident, b: OpenIncident): number =>
  a.firedAt - b.firedAt || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)

/**
 * Every open incident that inhibits an alert of rule `alert.rule` with `alert.labels`, oldest fire first (then by
 * key), with the `inhibitedBy` entry that matched. An entry naming the alert's own rule never inhibits (as
 * Alertmanager ignores sources that also match the target side): a rule cannot hold back its own alerts.
 */
export function inhibitions(
  alert: { rule: string; labels: Labels },
  inhibitedBy: readonly InhibitRule[],
  open: Iterable<OpenIncident>,
  now: number,
): Inhibition[] {
  const out: Inhibition[] = []
  if (inhibitedBy.length === 0) return out
  for (const incident of open) {
    if (incident.openUntil !== undefined && now >= incident.openUntil) continue
    const entry = inhibitedBy.find(
      (candidate) =>
        candidate.rule === incident.rule &&
        candidate.rule !== alert.rule &&
        equalOn(candidate.equal, incident.labels, alert.labels),
    )
    if (entry) out.push({ incident, entry })
  }
  return out.sort((a, b) => earlier(a.incident, b.incident))
}

/**
 * The incident that inhibits the alert (the oldest, so the answer does not depend on the order incidents are
 * stored or arrived in), or undefined when nothing does.
 */
export function inhibitedBy(
  alert: { rule: string; labels: Labels },
  entries: readonly InhibitRule[],
  open: Iterable<OpenIncident>,
  now: number,
): Inhibition | undefined {
  return inhibitions(alert, entries, open, now)[0]
}
