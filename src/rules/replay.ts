import { errorMessage, formatIssue } from '../errors.js'
import { oneLineMessage } from '../input/json-text.js'
import type { SeamEvent } from '../source/event.js'
import { readJsonlEvents } from '../source/jsonl-reader.js'
import { BufferedWriter } from './buffered-writer.js'
import type { Decision } from './decision.js'
import { Evaluator } from './evaluator.js'
import { EventHeap } from './event-heap.js'
import { ReplayInhibition, replayLine } from './replay-inhibition.js'
import { loadRuleDir } from './rule-loader.js'
import { RuleSet } from './rule-set.js'
import { emptyRuleState } from './rule-state.js'
import type { NamedIntervals } from './time-interval-operator.js'

export interface ReplayOptions {
  events: string
  rules: string
  /** Absence timers with a deadline at or before this fire at the end (default: the last occurred_at). */
  until?: number
  /** Events held to restore (created_at, event_id) order (default 10,000). */
  reorderBuffer?: number
  stdout: NodeJS.WritableStream
  stderr: NodeJS.WritableStream
  env?: NodeJS.ProcessEnv
  /**
   * The config's timeIntervals (`replay --config`): `inTimeInterval` names resolve through them. Without, a rule
   * that uses a name is an error.
   */
  timeIntervals?: NamedIntervals
}

export interface ReplaySummary {
  exitCode: number
  events: number
  rejected: number
  /** Events that arrived after a later one had already been processed (beyond the reorder buffer). */
  late: number
  decisions: number
}

/**
 * Offline evaluation of a JSONL file: decision lines on stdout, everything else on stderr. Events are taken in
 * (created_at, event_id) order through a bounded reorder buffer; absence timers fire on event time.
 */
export async function runReplay(opts: ReplayOptions): Promise<ReplaySummary> {
  const summary: ReplaySummary = { exitCode: 0, events: 0, rejected: 0, late: 0, decisions: 0 }
  const loaded = await loadRuleDir(opts.rules, {
    env: opts.env ?? process.env,
    warnings: false,
    intervals: opts.timeIntervals ? { named: opts.timeIntervals } : { withoutConfig: 'error' },
  })
  if (loaded.issues.length > 0) {
    for (const issue of loaded.issues) opts.stderr.write(`${formatIssue(issue)}\n`)
    return { ...summary, exitCode: 1 }
  }
  const ruleSet = RuleSet.from(loaded.rules, opts.timeIntervals)
  const muted = ruleSet.compiled.filter((c) => c.rule.muteTimes.length > 0).map((c) => c.rule.id)
  if (muted.length > 0)
    opts.stderr.write(
      `replay: muteTimes are wall-clock routing and are ignored here (rules: ${muted.join(', ')}); so are silences\n`,
    )
  const inhibition = new ReplayInhibition(ruleSet)
  // Conditions that throw (the rule does not match that event) are reported per rule at the end, on stderr.
  const failed = new Map<string, { count: number; first: string }>()
  const evaluator = new Evaluator(ruleSet, (ruleId, event, error) => {
    const seen = failed.get(ruleId)
    if (seen) seen.count++
    else {
      failed.set(ruleId, {
        count: 1,
        first: `${event.event_id} (${event.event_type}): ${errorMessage(error)}`,
      })
    }
  })
  const state = emptyRuleState()
  const out = new BufferedWriter(opts.stdout)
  const heap = new EventHeap()
  const capacity = Math.max(1, opts.reorderBuffer ?? 10_000)
  let lastCreated = Number.NEGATIVE_INFINITY
  let lastId = ''
  let latest = Number.NEGATIVE_INFINITY

  const emit = (decisions: Decision[]) => {
    if (decisions.length === 0) return
    const inhibited = inhibition.active ? inhibition.judge(decisions) : []
    for (const [index, decision] of decisions.entries()) out.line(replayLine(decision, inhibited[index]))
    summary.decisions += decisions.length
  }
  const step = async (event: SeamEvent) => {
    const created = Date.parse(event.created_at)
    if (created < lastCreated || (created === lastCreated && event.event_id < lastId)) summary.late++
    else {
      lastCreated = created
      lastId = event.event_id
    }
    const at = Date.parse(event.occurred_at)
    if (at > latest) latest = at
    emit(evaluator.fireDue(state, at, false))
    const result = evaluator.evaluate(state, event)
    emit(Array.isArray(result) ? result : await result)
    if (out.full) await out.flush()
  }

  try {
    for await (const item of readJsonlEvents(opts.events)) {
      if ('rejected' in item) {
        summary.rejected++
        const { origin, eventId, reason } = item.rejected
        const what = eventId === undefined ? '' : ` event ${eventId}`
        opts.stderr.write(`${oneLineMessage(`${origin}:${what} skipped: ${reason}`)}\n`)
        continue
      }
      summary.events++
      heap.push(item.event)
      if (heap.size > capacity) await step(heap.pop()!)
    }
  } catch (error) {
    await out.flush()
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message
    opts.stderr.write(`seam-alerts: cannot read ${opts.events} (${code})\n`)
    return { ...summary, exitCode: 1 }
  }
  for (let event = heap.pop(); event; event = heap.pop()) await step(event)
  if (opts.until !== undefined || latest > Number.NEGATIVE_INFINITY)
    emit(evaluator.fireDue(state, opts.until ?? latest, true))
  await out.flush()
  for (const [ruleId, { count, first }] of failed)
    opts.stderr.write(
      `${oneLineMessage(`replay: rule ${ruleId}: a condition failed on ${count} event(s), the rule did not match them; first: ${first}`)}
`,
    )
  if (summary.late > 0)
    opts.stderr.write(
      `replay: ${summary.late} event(s) arrived after a later event had been processed ` +
        `(more out of order than --reorder-buffer ${capacity}); they were processed anyway\n`,
    )
  if (summary.rejected > 0) opts.stderr.write(`replay: ${summary.rejected} line(s) skipped\n`)
  return summary
}
