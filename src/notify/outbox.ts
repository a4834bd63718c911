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

/** Labels of a decision (src/noise/labels.ts), stored on its items for the history of their outcome. */
export type LabelsOf = (decision: Decision) => Readonly<Record<string, string>> | undefined

function enqueueActions(
  draft: State,
  decision: Decision,
  actions: ReadonlyArray<readonly [index: number, action: Action]>,
  ref: (index: number) => string,
  now: number,
  known: Set<string>,
  labels?: Readonly<Record<string, string>>,
): number {
  let added = 0
  const storedDecision = storedDecisionOf(decision)
  for (const [index, action] of actions) {
    const id = outboxItemId(decision, index)
    if (known.has(id)) continue
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
      ...(labels ? { labels: { ...labels } } : {}),
    })
    added++
  }
  return added
}

const indexed = (actions: readonly Action[]) => actions.map((action, index) => [index, action] as const)

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
  labelsOf?: LabelsOf,
): number {
  const known = knownIds(draft)
  let added = 0
  for (const decision of decisions) {
    const rule = lookup(decision.rule)
    if (!rule || rule.digest) continue
    const ref = (i: number) => `rule:${decision.rule}#${i}`
    added += enqueueActions(draft, decision, indexed(rule.actions), ref, now, known, labelsOf?.(decision))
  }
  return added
}

/** Queue one action (the `index`-th of the rule's actions) of a rule decision, e.g. a noise summary. */
export function enqueueRuleAction(
  draft: State,
  decision: Decision,
  action: Action,
  index: number,
  now: number,
): number {
  const ref = (i: number) => `rule:${decision.rule}#${i}`
  return enqueueActions(draft, decision, [[index, action]], ref, now, knownIds(draft))
}

/** Queue a self-monitoring alert (`monitor.actions`, actionRef `monitor#<i>`). */
export function enqueueMonitorAlert(
  draft: State,
  decision: Decision,
  actions: readonly Action[],
  now: number,
): number {
  return enqueueActions(draft, decision, indexed(actions), (i) => `monitor#${i}`, now, knownIds(draft))
}
