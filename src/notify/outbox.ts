import { type Action, actionTarget } from '../rules/action-schema.js'
import type { Decision } from '../rules/decision.js'
import { stripActionSecrets } from '../secrets/fields.js'
import type { OutboxItem, State } from '../state/state-schema.js'
import { boundedEvent } from './bounded-event.js'

/** The action as queued: without its secret fields (re-resolved through `actionRef` at send). */
export const storedAction = (action: Action): Record<string, unknown> => stripActionSecrets(action)

/**
 * The decision as queued: plain JSON (drops undefined), so what is queued is exactly what the state file will
 * hold, with a bounded copy of the event (bounded-event.ts). `eventTrimmed` marks a cut copy: the alert says so.
 */
export function storedDecisionOf(decision: Decision): OutboxItem['decision'] {
  const { event, trimmed } = boundedEvent(decision.event as unknown as Record<string, unknown>)
  const bounded = trimmed ? { ...decision, event, eventTrimmed: true } : decision
  return JSON.parse(JSON.stringify(bounded)) as OutboxItem['decision']
}

/** Stable id: the same decision for the same action is one outbox item, whenever it is decided again. */
export function outboxItemId(decision: Decision, actionIndex: number): string {
  return `${decision.rule}:${decision.kind}:${decision.event_id}:${actionIndex}`
}

function knownIds(draft: State): Set<string> {
  const ids = new Set<string>()
  for (const item of draft.outbox) ids.add(item.id)
  for (const item of draft.sent) ids.add(item.id)
  for (const item of draft.deadLetters) ids.add(item.id)
  return ids
}

function enqueueActions(
  draft: State,
  decision: Decision,
  actions: readonly Action[],
  ref: (index: number) => string,
  now: number,
  known: Set<string>,
): number {
  let added = 0
  const storedDecision = storedDecisionOf(decision)
  actions.forEach((action, index) => {
    const id = outboxItemId(decision, index)
    if (known.has(id)) return
    known.add(id)
    draft.outbox.push({
      id,
      decision: storedDecision,
      action: storedAction(action),
      actionRef: ref(index),
      target: actionTarget(action),
      createdAt: now,
      attempts: 0,
      nextAttemptAt: now,
    })
    added++
  })
  return added
}

/**
 * Queue the actions of rule decisions. Call inside the StateAccess.update that advances the event cursor, so
 * the outbox write is atomic with it. Decisions of rules with a `digest` are skipped (the digest collects them);
 * unknown rules are skipped. Returns the number of items queued.
 */
export function enqueueDecisions(
  draft: State,
  decisions: readonly Decision[],
  lookup: (ruleId: string) => { actions: readonly Action[]; digest?: unknown } | undefined,
  now: number,
): number {
  const known = knownIds(draft)
  let added = 0
  for (const decision of decisions) {
    const rule = lookup(decision.rule)
    if (!rule || rule.digest) continue
    added += enqueueActions(draft, decision, rule.actions, (i) => `rule:${decision.rule}#${i}`, now, known)
  }
  return added
}

/** Queue a self-monitoring alert (`monitor.actions`, actionRef `monitor#<i>`). */
export function enqueueMonitorAlert(
  draft: State,
  decision: Decision,
  actions: readonly Action[],
  now: number,
): number {
  return enqueueActions(draft, decision, actions, (i) => `monitor#${i}`, now, knownIds(draft))
}
