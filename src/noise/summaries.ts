import { enqueueRuleAction } from '../notify/outbox.js'
import { type Action, actionTarget } from '../rules/action-schema.js'
import type { Decision } from '../rules/decision.js'
import type { State } from '../state/state-schema.js'
import { batchEnded } from './held-batches.js'
import type { NamedIntervals } from './hold.js'
import type { HeldBatch } from './noise-state.js'

/** The synthetic event type of an end-of-silence / end-of-mute summary. */
export const NOISE_SUMMARY_EVENT_TYPE = 'seam_alerts.noise_summary'

/** What the summary needs from the daemon. */
export interface SummaryDeps {
  actionsFor(rule: string): readonly Action[] | undefined
  intervals(): NamedIntervals | undefined
}

/**
 * The summary alert: a fire of the held rule whose synthetic event carries the held count, the event ids (at most
 * MAX_ROLLUP, "+N more" past it, as a storm rollup) and who silenced why; rendered by the channels' normal
 * renderer through title and text templates, as a digest is.
 */
export function summaryDecision(batch: HeldBatch, now: number): Decision {
  const at = new Date(now).toISOString()
  const eventId = `${batch.source}:${batch.id}:${batch.rule}:${at}`
  const more = batch.count - batch.eventIds.length
  const why =
    batch.source === 'silence'
      ? `while silenced (${batch.comment ?? ''}, by ${batch.by ?? 'unknown'})`
      : `while muted (${batch.id})`
  return {
    rule: batch.rule,
    kind: 'fire',
    group: batch.source === 'silence' ? { silence: batch.id } : { mute_time: batch.id },
    event_id: eventId,
    at,
    count: batch.count,
    suppressed: 0,
    eventIds: [...batch.eventIds],
    event: {
      event_id: eventId,
      event_type: NOISE_SUMMARY_EVENT_TYPE,
      created_at: at,
      occurred_at: at,
      held: batch.count,
      first_held: new Date(batch.firstAt).toISOString(),
      last_held: new Date(batch.lastAt).toISOString(),
      // Nested, so the channels show them only through the templates below.
      summary: { why, event_ids: batch.eventIds.join(' ') + (more > 0 ? ` (+${more} more)` : '') },
    },
  }
}

/** The rule's action for the summary: the one for the batch's target, with the summary templates. */
export function summaryAction(action: Action): Action {
  const title = '{{event.summary.why}}: {{event.held}} alerts of rule {{rule.id}}'
  const ids =
    action.type === 'slack' ? '```\n{{event.summary.event_ids}}\n```' : '{{event.summary.event_ids}}'
  return {
    ...action,
    title,
    text: `Held from {{event.first_held}} to {{event.last_held}}. Event ids:\n${ids}`,
  }
}

function actionFor(batch: HeldBatch, actions: readonly Action[]): [number, Action] | undefined {
  const same = actions[batch.actionIndex]
  if (same && actionTarget(same) === batch.target) return [batch.actionIndex, same]
  const index = actions.findIndex((action) => actionTarget(action) === batch.target)
  return index < 0 ? undefined : [index, actions[index]!]
}

/** The held batches whose silence or mute time has ended at `now` (read-only: check before updating). */
export function endedBatches(state: State, deps: SummaryDeps, now: number): string[] {
  const intervals = deps.intervals()
  return Object.keys(state.noise.held).filter((key) =>
    batchEnded(state, state.noise.held[key]!, intervals, now),
  )
}

/**
 * Queue ONE summary per ended silence (or mute time), rule and target through the outbox, and drop the batch in
 * the same update (so a restart neither loses nor repeats it). A batch whose rule or target is gone is dropped:
 * its alerts are in the history. Returns the items queued.
 */
export function queueSummaries(
  draft: State,
  deps: SummaryDeps,
  now: number,
): { queued: number; dropped: number } {
  let queued = 0
  let dropped = 0
  for (const key of endedBatches(draft, deps, now)) {
    const batch = draft.noise.held[key]!
    delete draft.noise.held[key]
    const found = actionFor(batch, deps.actionsFor(batch.rule) ?? [])
    if (!found) {
      dropped++
      continue
    }
    queued += enqueueRuleAction(draft, summaryDecision(batch, now), summaryAction(found[1]), found[0], now)
  }
  return { queued, dropped }
}
