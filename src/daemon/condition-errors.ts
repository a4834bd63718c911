import type { Clock } from '../clock.js'
import { errorMessage } from '../errors.js'
import type { Logger } from '../log.js'
import type { ConditionErrorHandler } from '../rules/evaluator.js'
import type { DaemonMetrics } from './metrics.js'

/** How often one rule's failing condition is logged again (the others in between are counted). */
export const CONDITION_ERROR_LOG_EVERY_MS = 10 * 60_000

/**
 * Rule conditions that throw at run time (e.g. `in` against a value that is not a list, a `path` into a field of
 * the wrong type): the rule counts as not matching that event. Each one is counted per rule
 * (`seam_alerts_condition_errors_total`), and logged at most once per rule every ten minutes, naming the rule, the
 * event and the error, with how many more failed since the last line, so a bad rule is visible but cannot flood
 * the log.
 */
export function conditionErrorReporter(opts: {
  logger: Logger
  clock: Clock
  metrics: DaemonMetrics
  everyMs?: number
}): ConditionErrorHandler {
  const every = opts.everyMs ?? CONDITION_ERROR_LOG_EVERY_MS
  const last = new Map<string, { loggedAt: number; since: number }>()
  return (ruleId, event, error) => {
    opts.metrics.conditionErrors.inc({ rule: ruleId })
    const now = opts.clock.now()
    const seen = last.get(ruleId)
    if (seen && now - seen.loggedAt < every) {
      seen.since++
      return
    }
    const more = seen && seen.since > 0 ? ` (${seen.since} more since the last report)` : ''
    opts.logger.warn(
      { rule: ruleId, event_id: event.event_id, event_type: event.event_type, err: errorMessage(error) },
      `rule ${ruleId}: a condition failed on event ${event.event_id} (${event.event_type}): ${errorMessage(error)}. ` +
        `The rule does not match such events until the condition is fixed${more}.`,
    )
    last.set(ruleId, { loggedAt: now, since: 0 })
  }
}
