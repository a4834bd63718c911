/**
 * The cost of the event limits (depth and size, issue 17) in its own process:
 *   node --import tsx bench/limits-worker.ts <events.jsonl>
 * Reads the file as `replay` does, and for each chunk of lines times validateEvent with the default limits and
 * without them (null). Each side gets its own freshly parsed copy of the chunk (as in replay, validation is the
 * first to touch a parsed event), and which side goes first alternates. Prints one JSON line.
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
  let chunks = 0
  const time = (fn: () => void) => {
    const start = performance.now()
    fn()
    return performance.now() - start
  }
  const run = (texts: string[]) => {
    const a = texts.map((text) => JSON.parse(text) as unknown)
    const b = texts.map((text) => JSON.parse(text) as unknown)
    const withLimits = (batch: unknown[]) => () => {
      for (const raw of batch) validateEvent(raw, 'bench', DEFAULT_EVENT_LIMITS)
    }
    const without = (batch: unknown[]) => () => {
      for (const raw of batch) validateEvent(raw, 'bench', null)
    }
    if (chunks % 2 === 0) {
      withMs += time(withLimits(a))
      withoutMs += time(without(b))
    } else {
      withoutMs += time(without(a))
      withMs += time(withLimits(b))
    }
    const c = texts.map((text) => JSON.parse(text) as unknown)
    walkMs += time(() => {
      for (const raw of c) if (eventLimitProblem(raw, DEFAULT_EVENT_LIMITS) !== undefined) rejected++
    })
    events += texts.length
    chunks++
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
    `${JSON.stringify({ events, with_ms: round(withMs), without_ms: round(withoutMs), walk_ms: round(walkMs), rejected })}\n`,
  )
}

await main()
