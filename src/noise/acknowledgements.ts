import { type Decision, incidentKey } from '../rules/decision.js'
import type { State } from '../state/state-schema.js'
import type { Ack } from './noise-state.js'

/**
 * Acknowledged incidents (issue 13): state.noise.acks, by incidentKey. An acknowledgement is shared by the
 * incident, not by a channel: while it stands, the incident's throttled repeats are held back on every channel.
 * It ends when the incident resolves (a re-fire after that is a new incident). A rule without `resolve` has no
 * repeats to hold: its next fire comes only once the throttle is over, which ends the incident (noise/incidents.ts),
 * so there the acknowledgement only shows on the message, and is pruned when the open period ends.
 */

export function ackOf(state: State, incident: string): Ack | undefined {
  return state.noise.acks?.[incident]
}

/** Record an acknowledgement (replacing the small map: it is the draft's own copy, its records are shared). */
export function setAck(draft: State, incident: string, ack: Ack): void {
  draft.noise.acks = { ...(draft.noise.acks ?? {}), [incident]: ack }
}

export function clearAck(draft: State, incident: string): void {
  if (!draft.noise.acks || !Object.hasOwn(draft.noise.acks, incident)) return
  const { [incident]: _gone, ...rest } = draft.noise.acks
  draft.noise.acks = rest
}

/** Is the incident still open at `at` (fired and not resolved; or inside its throttle for a rule without resolve)? */
function isOpen(state: State, incident: string, at: number): boolean {
  const open = state.noise.open[incident]
  return open !== undefined && (open.openUntil === undefined || at < open.openUntil)
}

/** The acknowledgement that holds back this fire: its incident is acknowledged and still open (not resolved). */
export function ackHolding(state: State, decision: Decision): Ack | undefined {
  if (decision.kind !== 'fire') return undefined
  const incident = incidentKey(decision.rule, decision.group)
  const ack = ackOf(state, incident)
  const open = state.noise.open[incident]
  return ack && open && open.openUntil === undefined ? ack : undefined
}

/** Drop acknowledgements whose incident is no longer open (housekeeping). */
export function pruneAcks(draft: State, now: number): void {
  const acks = draft.noise.acks
  if (!acks) return
  const stale = Object.keys(acks).filter((incident) => !isOpen(draft, incident, now))
  for (const incident of stale) clearAck(draft, incident)
}
