/**
 * One contender in its own process, so its peak RSS is its own:
 *   node --expose-gc --import tsx bench/worker.ts <naive|handwritten|seam-alerts> <rules> <events> <reps> <maxMsPerRep>
 * Prints one JSON line (WorkerResult) on stdout.
 */
import type { SeamEvent } from '../src/source/event.js'
import { type ContenderFactory, ContenderUnavailable } from './contenders/contender.js'
import { createHandwritten } from './contenders/handwritten.js'
import { createNaive } from './contenders/naive.js'
import { createSeamAlerts } from './contenders/seam-alerts.js'
import { generateEvents } from './generate.js'
import { generateFleetRules, generateRules } from './generate-rules.js'
import { median } from './stats.js'

export interface WorkerResult {
  contender: string
  rules: number
  /** Events offered per repetition, and how many the (time-capped) median repetition processed. */
  events: number
  processed: number
  capped: boolean
  reps: number
  eventsPerSec: number
  fires: number
  peakRssMb: number
  /** RSS once the events and rules were generated, before the contender was built. */
  baseRssMb: number
}

const FACTORIES: Record<string, ContenderFactory> = {
  naive: createNaive,
  handwritten: createHandwritten,
  'seam-alerts': createSeamAlerts,
  /** seam-alerts on the same rules with a quarter turned into fleet kinds (generateFleetRules). */
  'seam-alerts-fleet': createSeamAlerts,
}

const mb = (bytes: number): number => Math.round((bytes / 1048576) * 10) / 10

async function runOnce(
  factory: ContenderFactory,
  rules: ReturnType<typeof generateRules>,
  events: SeamEvent[],
  maxMs: number,
) {
  const contender = await factory(rules)
  const start = performance.now()
  const deadline = start + maxMs
  let processed = 0
  for (const event of events) {
    const pending = contender.process(event)
    if (pending) await pending
    processed++
    if ((processed & 63) === 0 && performance.now() > deadline) break
  }
  const ms = performance.now() - start
  return { processed, ms, fires: contender.counts().fires }
}

async function main(): Promise<void> {
  const [name = '', ruleArg = '100', eventArg = '200000', repArg = '3', maxArg = '1e12'] =
    process.argv.slice(2)
  const factory = FACTORIES[name]
  if (!factory) throw new Error(`unknown contender ${name}; expected ${Object.keys(FACTORIES).join(', ')}`)
  const rules =
    name === 'seam-alerts-fleet' ? generateFleetRules(Number(ruleArg)) : generateRules(Number(ruleArg))
  const events = [...generateEvents(Number(eventArg))]
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
  const baseRssMb = mb(process.memoryUsage().rss)
  const maxMs = Number(maxArg)
  try {
    await runOnce(factory, rules, events.slice(0, 2_000), Math.min(maxMs, 300)) // warm-up
  } catch (error) {
    if (!(error instanceof ContenderUnavailable)) throw error
    process.stdout.write(JSON.stringify({ missing: error.message }) + '\n')
    return
  }
  const runs: Array<{ processed: number; ms: number; fires: number }> = []
  for (let rep = 0; rep < Number(repArg); rep++) {
    gc?.()
    runs.push(await runOnce(factory, rules, events, maxMs))
  }
  const rates = runs.map((r) => (r.processed / r.ms) * 1000)
  const mid = runs[rates.indexOf(median(rates))]!
  const result: WorkerResult = {
    contender: name,
    rules: rules.length,
    events: events.length,
    processed: mid.processed,
    capped: mid.processed < events.length,
    reps: runs.length,
    eventsPerSec: Math.round(median(rates)),
    fires: mid.fires,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 102.4) / 10,
    baseRssMb,
  }
  process.stdout.write(JSON.stringify(result) + '\n')
}

await main()
