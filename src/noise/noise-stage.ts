import { type Action, actionTarget } from '../rules/action-schema.js'
import { type Decision, incidentKey } from '../rules/decision.js'
import type { State } from '../state/state-schema.js'
import { holdForSummary } from './held-batches.js'
import type { HistoryEntry } from './history.js'
import { appendHistory } from './history-log.js'
import { holdFor, type NamedIntervals, type NoiseRule } from './hold.js'
import { openIncidents, trackIncidents } from './incidents.js'
import { alertLabels, type Labels } from './labels.js'
import type { Hold } from './noise-state.js'

/** What the stage needs from the daemon: the live rules, their actions, the named time intervals, metrics. */
export interface NoiseDeps {
  rule(id: string): NoiseRule | undefined
  actionsFor(id: string): readonly Action[]
  intervals(): NamedIntervals | undefined
  onHeld?(outcome: Hold['outcome'], rule: string): void
}

export interface StageResult {
  /** The decisions to queue (or collect into a digest), in their original order. */
  pass: Decision[]
  /** The labels of every decision of the batch. */
  labels: Map<Decision, Labels>
}

function deviceNameOf(draft: State, decision: Decision): string | undefined {
  const id = decision.group['device_id'] ?? decision.event?.device_id
  return typeof id === 'string' ? draft.devices[id]?.name : undefined
}

function holdHistory(decision: Decision, labels: Labels, hold: Hold, target?: string): HistoryEntry {
  const { outcome, silenceId, muteTime, inhibitedBy, at } = hold
  const entry: HistoryEntry = {
    at,
    rule: decision.rule,
    kind: decision.kind,
    event_id: decision.event_id,
    labels,
    outcome,
  }
  if (target) entry.target = target
  if (silenceId) entry.silenceId = silenceId
  if (muteTime) entry.muteTime = muteTime
  if (inhibitedBy) entry.inhibitedBy = inhibitedBy
  return entry
}

function countSilence(draft: State, id: string): void {
  const index = draft.silences.findIndex((silence) => silence.id === id)
  const current = draft.silences[index]
  if (current) draft.silences[index] = { ...current, suppressed: current.suppressed + 1 }
}

function recordHold(draft: State, decision: Decision, labels: Labels, hold: Hold, deps: NoiseDeps): void {
  const actions = deps.actionsFor(decision.rule)
  if (actions.length === 0) appendHistory(draft, holdHistory(decision, labels, hold))
  actions.forEach((action, index) => {
    const target = actionTarget(action)
    appendHistory(draft, holdHistory(decision, labels, hold, target))
    holdForSummary(draft, decision, hold, { target, actionIndex: index, intervals: deps.intervals() })
  })
  if (hold.silenceId) countSilence(draft, hold.silenceId)
  deps.onHeld?.(hold.outcome, decision.rule)
}

/**
 * The noise stage: label every decision, then hold back what is inhibited, muted or silenced. Held alerts are
 * recorded in the history (one entry per target) and kept for the end-of-silence / end-of-mute summary; the rest
 * pass on to the outbox or digest. Call inside the state update that records the decisions.
 * Two phases: the open incidents are updated from ALL decisions of the batch first, so the order of events in a
 * batch cannot change which alerts are inhibited.
 */
export function noiseStage(
  draft: State,
  decisions: readonly Decision[],
  deps: NoiseDeps,
  now: number,
): StageResult {
  const labels = new Map<Decision, Labels>()
  for (const decision of decisions) {
    const severity = deps.rule(decision.rule)?.severity ?? 'warning'
    const deviceName = deviceNameOf(draft, decision)
    labels.set(decision, alertLabels(decision, deviceName ? { severity, deviceName } : { severity }))
  }
  const labelsOf = (decision: Decision) => labels.get(decision)!
  trackIncidents(draft, decisions, labelsOf, (id) => deps.rule(id))
  const open = openIncidents(draft, Number.NEGATIVE_INFINITY).filter((incident) => deps.rule(incident.rule))
  const intervals = deps.intervals()
  const pass: Decision[] = []
  for (const decision of decisions) {
    const rule = deps.rule(decision.rule)
    const key = incidentKey(decision.rule, decision.group)
    const hold = rule
      ? holdFor(draft, decision, labelsOf(decision), rule, { open, intervals, now })
      : undefined
    const heldFires = draft.noise.heldFires
    if (decision.kind === 'resolve') delete heldFires[key]
    else if (hold && rule?.resolve) heldFires[key] = hold
    else delete heldFires[key]
    if (hold) recordHold(draft, decision, labelsOf(decision), hold, deps)
    else pass.push(decision)
  }
  return { pass, labels }
}
