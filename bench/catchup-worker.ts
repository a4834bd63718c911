/**
 * The catch-up walk in its own process (so its peak RSS is its own):
 *   node --import tsx bench/catchup-worker.ts <emulatorUrl> <apiKey> <startFromIso> <maxMs>
 * The real ApiEventSource fetches from an old cursor until caughtUp, carrying the checkpoint forward as the daemon
 * does. Prints one JSON line.
 */
import { systemClock } from '../src/clock.js'
import { silentLogger } from '../src/log.js'
import { emptyCheckpoint } from '../src/source/event-source.js'
import { createApiEventSource } from './project-source.js'

async function main(): Promise<void> {
  const [endpoint = '', apiKey = '', startFrom = '', maxArg = '900000'] = process.argv.slice(2)
  const source = await createApiEventSource({
    endpoint,
    apiKey,
    startFrom,
    lookbackMs: 5 * 60_000,
    pageSize: 500,
    clock: systemClock,
    logger: silentLogger,
  })
  if ('missing' in source) {
    process.stdout.write(JSON.stringify({ missing: source.missing }) + '\n')
    return
  }
  const start = performance.now()
  const deadline = start + Number(maxArg)
  let checkpoint = emptyCheckpoint()
  let events = 0
  let batches = 0
  let caughtUp = false
  while (!caughtUp && performance.now() < deadline) {
    const batch = await source.fetch(checkpoint)
    events += batch.events.length
    checkpoint = batch.checkpoint
    caughtUp = batch.caughtUp
    batches++
  }
  const ms = performance.now() - start
  const result = {
    events,
    batches,
    caughtUp,
    ms: Math.round(ms),
    requests: source.stats.requests,
    retries: source.stats.retries,
    seenKept: Object.keys(checkpoint.seen).length,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 102.4) / 10,
  }
  process.stdout.write(JSON.stringify(result) + '\n')
}

await main()
