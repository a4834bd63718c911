/**
 * The cost of the event limits (depth and size, issue 17) in its own process:
 *   node --expose-gc --import tsx bench/limits-worker.ts <events.jsonl>
 * Reads the file as `replay` does and times validateEvent with the default limits and without them (null) on
 * paired slices of 500 events, each side on its own freshly parsed copy, the order alternating. Times are this
 * process's CPU time (`process.cpuUsage`: other processes on a busy host do not count, its own GC does), summed;
 * the median per-event difference of the pairs is printed as a cross-check. Prints one JSON line.
 */
import { createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'
import { optionalImport } from './optional-import.js'

interface ValidateModule {
  validateEvent(raw: unknown, origin: string, limits: unknown): unknown
}
interface LimitsModule {
  DEFAULT_EVENT_LIMITS: unknown
  eventLimitProblem(raw: unknown, limits: unknown): string | undefined
}

const CHUNK = 10_000
/** Events timed together: small enough that a load spike spoils few pairs, large enough for the timer. */
const SLICE = 500

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

async function main(): Promise<void> {
  const [file = ''] = process.argv.slice(2)
  const validate = await optionalImport<ValidateModule>('src/source/validate-event.js')
  const limits = await optionalImport<LimitsModule>('src/source/event-limits.js')
  if ('missing' in validate || 'missing' in limits) {
    const missing = 'missing' in validate ? validate.missing : (limits as { missing: string }).missing
    process.stdout.write(`${JSON.stringify({ missing })}\n`)
    return
  }
  const { validateEvent } = validate.module
  const { DEFAULT_EVENT_LIMITS, eventLimitProblem } = limits.module
  let withMs = 0
  let withoutMs = 0
  let walkMs = 0
  let events = 0
  let rejected = 0
  let pairs = 0
  /** Per slice: (with - without) ms per event. */
  const extraPerEvent: number[] = []
  const time = (fn: () => void) => {
    const start = process.cpuUsage()
    fn()
    const used = process.cpuUsage(start)
    return (used.user + used.system) / 1000
  }
  const withLimits = (batch: unknown[]) => () => {
    for (const raw of batch) validateEvent(raw, 'bench', DEFAULT_EVENT_LIMITS)
  }
  const without = (batch: unknown[]) => () => {
    for (const raw of batch) validateEvent(raw, 'bench', null)
  }
  const run = (texts: string[]) => {
    // Each side gets its own freshly parsed copy (in replay, validation is the first to touch a parsed event).
    const a = texts.map((text) => JSON.parse(text) as unknown)
    const b = texts.map((text) => JSON.parse(text) as unknown)
    const c = texts.map((text) => JSON.parse(text) as unknown)
    // Collect outside the timed slices, so a major GC of earlier chunks does not land in one side (--expose-gc).
    ;(globalThis as { gc?: () => void }).gc?.()
    for (let from = 0; from < texts.length; from += SLICE) {
      const to = Math.min(texts.length, from + SLICE)
      let withSlice: number
      let withoutSlice: number
      if (pairs++ % 2 === 0) {
        withSlice = time(withLimits(a.slice(from, to)))
        withoutSlice = time(without(b.slice(from, to)))
      } else {
        withoutSlice = time(without(a.slice(from, to)))
        withSlice = time(withLimits(b.slice(from, to)))
      }
      const walkSlice = time(() => {
        for (let i = from; i < to; i++)
          if (eventLimitProblem(c[i], DEFAULT_EVENT_LIMITS) !== undefined) rejected++
      })
      withMs += withSlice
      withoutMs += withoutSlice
      walkMs += walkSlice
      extraPerEvent.push((withSlice - withoutSlice) / (to - from))
    }
    events += texts.length
  }
  const lines = createInterface({
    input: createReadStream(file, 'utf8'),
    crlfDelay: Number.POSITIVE_INFINITY,
  })
  let batch: string[] = []
  for await (const line of lines) {
    if (line.trim() === '') continue
    batch.push(line)
    if (batch.length === CHUNK) {
      run(batch)
      batch = []
    }
  }
  if (batch.length > 0) run(batch)
  const round = (ms: number) => Math.round(ms * 10) / 10
  process.stdout.write(
    `${JSON.stringify({
      events,
      with_ms: round(withMs),
      without_ms: round(withoutMs),
      walk_ms: round(walkMs),
      // Cross-check: the median per-event difference of the paired slices, times the events.
      extra_median_ms: round(Math.max(0, median(extraPerEvent)) * events),
      rejected,
    })}\n`,
  )
}

await main()
