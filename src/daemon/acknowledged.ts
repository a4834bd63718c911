import { ackHolding, clearAck } from '../noise/acknowledgements.js'
import { appendHistory } from '../noise/history-log.js'
import type { Labels } from '../noise/labels.js'
import { queueMessageEdit } from '../notify/follow-ups.js'
import { messagesOfIncident } from '../notify/slack-message-index.js'
import { type Action, actionTarget } from '../rules/action-schema.js'
import { type Decision, incidentKey } from '../rules/decision.js'
import type { MessageStatus, SlackMessageRecord } from '../state/slack-messages.js'
import type { State } from '../state/state-schema.js'

export interface AckStageDeps {
  actionsFor(ruleId: string): readonly Action[]
  labelsOf(decision: Decision): Labels | undefined
  onHeld?(rule: string): void
}

/** The status of a message once one of its incidents resolved (a rollup: resolved when all of them are). */
function resolvedStatus(record: SlackMessageRecord, incident: string, decision: Decision): MessageStatus {
  const at = Date.parse(decision.at)
  if (!record.rollup) {
    const firedAt = decision.firedAt ? Date.parse(decision.firedAt) : Number.NaN
    const lastedMs = Number.isFinite(firedAt) ? Math.max(0, at - firedAt) : undefined
    return { ...record.status, resolved: { at, ...(lastedMs !== undefined ? { lastedMs } : {}) } }
  }
  const done = new Set(record.status.resolvedIncidents ?? [])
  done.add(incident)
  const resolvedIncidents = record.incidents.filter((key) => done.has(key))
  const all = resolvedIncidents.length === record.incidents.length
  return { ...record.status, resolvedIncidents, ...(all ? { resolved: { at } } : {}) }
}

function holdHistory(draft: State, decision: Decision, by: string, deps: AckStageDeps, now: number): void {
  const labels = deps.labelsOf(decision) ?? { rule: decision.rule, kind: decision.kind }
  const base = { at: now, rule: decision.rule, kind: decision.kind, event_id: decision.event_id, labels }
  const targets = deps.actionsFor(decision.rule).map(actionTarget)
  if (targets.length === 0) appendHistory(draft, { ...base, outcome: 'acknowledged', by })
  for (const target of targets) appendHistory(draft, { ...base, outcome: 'acknowledged', by, target })
}

/**
 * After the noise stage, inside the update that records the decisions (issue 13):
 * - a resolve edits every Slack message of its incident to show it resolved (how long it lasted, who
 *   acknowledged it), and ends the incident's acknowledgement;
 * - a fire of an acknowledged, still open incident (a throttled repeat) is held back on every channel: recorded in
 *   the history as `acknowledged` (with who), not queued.
 * Decisions are taken in order, so a re-fire after a resolve in the same batch is a new incident and is sent.
 * Returns the decisions to queue, in their order.
 */
export function acknowledgedStage(
  draft: State,
  decisions: readonly Decision[],
  pass: readonly Decision[],
  deps: AckStageDeps,
  now: number,
): Decision[] {
  const passing = new Set(pass)
  const out: Decision[] = []
  for (const decision of decisions) {
    const incident = incidentKey(decision.rule, decision.group)
    if (decision.kind === 'resolve') {
      for (const [, record] of messagesOfIncident(draft, incident)) {
        queueMessageEdit(draft, record, resolvedStatus(record, incident, decision), now)
      }
      clearAck(draft, incident)
      if (passing.has(decision)) out.push(decision)
      continue
    }
    if (!passing.has(decision)) continue
    const ack = ackHolding(draft, decision)
    if (ack) {
      holdHistory(draft, decision, ack.by, deps, now)
      deps.onHeld?.(decision.rule)
      continue
    }
    out.push(decision)
  }
  return out
}
