import { deleteKeys } from '../frozen.js'
import type { SeamEvent } from '../source/event.js'
import { bucket, groupObject } from './group.js'
import type { AbsenceTimer, RuleState } from './rule-state.js'

/**
 * Absence timers live in state.timers[rule][group]. The earliest deadline is cached per state object (not
 * persisted) so the per-event `fireDue` check is one comparison.
 */
const earliest = new WeakMap<RuleState, number>()

export function earliestDeadline(state: RuleState): number {
  let min = earliest.get(state)
  if (min === undefined) {
    min = Number.POSITIVE_INFINITY
    for (const timers of Object.values(state.timers))
      for (const timer of Object.values(timers)) if (timer.deadline < min) min = timer.deadline
    earliest.set(state, min)
  }
  return min
}

export function forgetEarliest(state: RuleState): void {
  earliest.delete(state)
}

/** A qualifying event opens its group's timer; one per group, the earliest opening wins. */
export function openTimer(
  state: RuleState,
  ruleId: string,
  key: string,
  event: SeamEvent,
  at: number,
  within: number,
  groupBy: readonly string[],
): void {
  const timers = bucket(state.timers, ruleId)
  const open = timers[key]
  if (open && open.openedAt <= at) return
  const group = groupObject(groupBy, event)
  const timer: AbsenceTimer = { event_id: event.event_id, group, openedAt: at, deadline: at + within, event }
  timers[key] = timer
  const min = earliest.get(state)
  if (min !== undefined && timer.deadline < min) earliest.set(state, timer.deadline)
  if (open) forgetEarliest(state)
}

/** An absence event of the group with occurred_at <= the deadline cancels the open timer. */
export function cancelTimer(state: RuleState, ruleId: string, key: string, at: number): boolean {
  const open = state.timers[ruleId]?.[key]
  if (!open || at > open.deadline) return false
  delete bucket(state.timers, ruleId)[key]
  if (open.deadline <= (earliest.get(state) ?? Number.NEGATIVE_INFINITY)) forgetEarliest(state)
  return true
}

export interface DueTimer {
  ruleId: string
  key: string
  timer: AbsenceTimer
}

/** Remove and return the timers due before `until` (or at it, when inclusive), in deadline order. */
const NONE: DueTimer[] = []

export function takeDueTimers(state: RuleState, until: number, inclusive: boolean): DueTimer[] {
  const min = earliestDeadline(state)
  if (min > until || (min === until && !inclusive)) return NONE
  const due: DueTimer[] = []
  for (const [ruleId, timers] of Object.entries(state.timers)) {
    const taken = due.length
    for (const [key, timer] of Object.entries(timers))
      if (timer.deadline < until || (inclusive && timer.deadline === until)) due.push({ ruleId, key, timer })
    const keys = due.slice(taken).map((d) => d.key)
    if (keys.length === Object.keys(timers).length) delete state.timers[ruleId]
    else deleteKeys(state.timers, ruleId, keys)
  }
  forgetEarliest(state)
  return due.sort((a, b) => a.timer.deadline - b.timer.deadline)
}
