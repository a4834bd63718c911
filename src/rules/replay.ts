import { formatDuration } from '../duration.js'
import { errorMessage, formatIssue } from '../errors.js'
import { oneLineMessage } from '../input/json-text.js'
import type { SeamEvent } from '../source/event.js'
import { DEFAULT_EVENT_LIMITS } from '../source/event-limits.js'
import { readJsonlEvents } from '../source/jsonl-reader.js'
import { BufferedWriter } from './buffered-writer.js'
import { type EventWork, evaluateContained, type RuleStateSlot } from './contained.js'
import type { Decision } from './decision.js'
import { Evaluator } from './evaluator.js'
import { EventHeap } from './event-heap.js'
import { ReplayInhibition, replayLine } from './replay-inhibition.js'
import { loadRuleDir } from './rule-loader.js'
import { RuleSet } from './rule-set.js'
import { emptyRuleState } from './rule-state.js'
import { DEFAULT_OCCURRED_AT_SKEW_MS } from './rule-time.js'
import type { NamedIntervals } from './time-interval-operator.js'

/**
 * Events evaluated between two savepoints (see contained.ts): their decisions are held until the chunk is done, so
 * an event that fails can be undone. A savepoint costs about twice the size of the group maps the chunk wrote to
 * (frozen, then copied on the next write): 20,000 events keep that near 1% of a replay (`npm run bench`, 1M events:
 * 2,000 cost 15%) while holding some 20 MB of events.
 */
const CHUNK = 20_000

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
  /**
   * The config's `limits` (`replay --config`), so a replay judges events as the daemon with that config would:
   * event size and depth, occurred_at skew, first-seen capacity. Default: the defaults of `limits`.
   */
  limits?: ReplayLimits
}

/** The parts of the config's `limits` that change what a replay decides. */
export interface ReplayLimits {
  eventMaxDepth: number
  eventMaxBytes: number
  occurredAtSkew: number
  firstSeenMax: number
}

export interface ReplaySummary {
  exitCode: number
  events: number
  rejected: number
  /** Events that arrived after a later one had already been processed (beyond the reorder buffer). */
  late: number
  decisions: number
  /** Events whose evaluation threw: reported on stderr and skipped (their effects undone). */
  failed: number
  /** Events whose occurred_at was too far ahead of created_at: the rules used created_at. */
  clamped: number
}

/**
 * Offline evaluation of a JSONL file: decision lines on stdout, everything else on stderr. Events are taken in
 * (created_at, event_id) order through a bounded reorder buffer; absence timers fire on event time. As in the
 * daemon, a line over the event limits or not a valid event is reported and skipped, an event whose evaluation
 * throws is reported and skipped with its effects undone, and an occurred_at too far ahead of created_at is not
 * trusted (rule-time.ts). A replay that reads the whole file exits 0 whatever it skipped.
 */
export async function runReplay(opts: ReplayOptions): Promise<ReplaySummary> {
  const summary: ReplaySummary = {
    exitCode: 0,
    events: 0,
    rejected: 0,
    late: 0,
    decisions: 0,
    failed: 0,
    clamped: 0,
  }
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
  let firstClamped = ''
  const onClamped = (event: SeamEvent) => {
    if (summary.clamped++ === 0)
      firstClamped = `${event.event_id} (occurred_at ${event.occurred_at}, created_at ${event.created_at})`
  }
  const skewMs = opts.limits?.occurredAtSkew ?? DEFAULT_OCCURRED_AT_SKEW_MS
  const eventLimits = opts.limits
    ? { maxDepth: opts.limits.eventMaxDepth, maxBytes: opts.limits.eventMaxBytes }
    : DEFAULT_EVENT_LIMITS
  const evaluator = new Evaluator(
    ruleSet,
    (ruleId, event, error) => {
      const seen = failed.get(ruleId)
      if (seen) seen.count++
      else {
        failed.set(ruleId, {
          count: 1,
          first: `${event.event_id} (${event.event_type}): ${errorMessage(error)}`,
        })
      }
    },
    {
      occurredAtSkewMs: skewMs,
      onClamped,
      ...(opts.limits ? { firstSeenMax: opts.limits.firstSeenMax } : {}),
    },
  )
  const slot: RuleStateSlot = { state: emptyRuleState() }
  const out = new BufferedWriter(opts.stdout)
  const heap = new EventHeap()
  const capacity = Math.max(1, opts.reorderBuffer ?? 10_000)
  let lastCreated = Number.NEGATIVE_INFINITY
  let lastId = ''
  let latest = Number.NEGATIVE_INFINITY

  // One event's decisions (absence deadlines due before it, then its own) are judged for inhibition together.
  const emit = (decisions: Decision[]) => {
    if (decisions.length === 0) return
    const inhibited = inhibition.active ? inhibition.judge(decisions) : []
    for (const [index, decision] of decisions.entries()) out.line(replayLine(decision, inhibited[index]))
    summary.decisions += decisions.length
  }
  // Absence timers due before the event fire first, on the rule time (so undone with it when it fails).
  const work: EventWork = (state, event) => {
    const due = evaluator.fireDue(state, evaluator.ruleTime(event), false)
    const result = evaluator.evaluate(state, event)
    if (due.length === 0) return result
    return Array.isArray(result) ? [...due, ...result] : result.then((r) => [...due, ...r])
  }
  const chunk: SeamEvent[] = []
  const runChunk = async () => {
    const { decisions, failed: failures } = await evaluateContained(slot, chunk, work)
    for (const { index, error } of failures) {
      const event = chunk[index]!
      opts.stderr.write(
        `${oneLineMessage(`replay: event ${event.event_id} (${event.event_type}) failed: ${errorMessage(error)}; skipped`)}\n`,
      )
    }
    summary.failed += failures.length
    for (const list of decisions) emit(list)
    chunk.length = 0
    if (out.full) await out.flush()
  }
  const step = async (event: SeamEvent) => {
    const created = Date.parse(event.created_at)
    if (created < lastCreated || (created === lastCreated && event.event_id < lastId)) summary.late++
    else {
      lastCreated = created
      lastId = event.event_id
    }
    const at = evaluator.ruleTime(event)
    if (at > latest) latest = at
    chunk.push(event)
    if (chunk.length >= CHUNK) await runChunk()
  }

  try {
    for await (const item of readJsonlEvents(opts.events, eventLimits)) {
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
  await runChunk()
  if (opts.until !== undefined || latest > Number.NEGATIVE_INFINITY) {
    try {
      emit(evaluator.fireDue(slot.state, opts.until ?? latest, true))
    } catch (error) {
      opts.stderr.write(
        `${oneLineMessage(`replay: firing the absence timers failed: ${errorMessage(error)}`)}\n`,
      )
    }
  }
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
  if (summary.clamped > 0)
    opts.stderr.write(
      `${oneLineMessage(
        `replay: ${summary.clamped} event(s) reaching a rule had an occurred_at more than ${formatDuration(skewMs)} ` +
          `ahead of created_at; the rules used created_at as their time; first: ${firstClamped}`,
      )}\n`,
    )
  if (summary.failed > 0) opts.stderr.write(`replay: ${summary.failed} event(s) failed and were skipped\n`)
  if (summary.rejected > 0) opts.stderr.write(`replay: ${summary.rejected} line(s) skipped\n`)
  return summary
}
