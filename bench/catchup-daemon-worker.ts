/**
 * The real daemon catching up, in its own process:
 *   node --import tsx bench/catchup-daemon-worker.ts <emulatorUrl> <apiKey> <startFromIso> <dir>
 * `startDaemon({ once: true })` runs one cycle that catches up fully (fetch, evaluate, persist the state after
 * every batch), drains delivery and stops. `<dir>` holds `rules/`; the state file is written there.
 * Prints one JSON line: { ms, cursor, peakRssMb } or { missing }.
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { type Config, parseConfig } from '../src/config.js'
import { type Logger, silentLogger } from '../src/log.js'
import { optionalImport } from './optional-import.js'

interface DaemonModule {
  startDaemon(opts: {
    config: Config
    logger: Logger
    once?: boolean
    consoleStream?: NodeJS.WritableStream
  }): Promise<{ done: Promise<void> }>
}

async function main(): Promise<void> {
  const [endpoint = '', apiKey = '', startFrom = '', dir = ''] = process.argv.slice(2)
  const loaded = await optionalImport<DaemonModule>('src/daemon/daemon.js')
  if ('missing' in loaded) {
    process.stdout.write(JSON.stringify({ missing: loaded.missing }) + '\n')
    return
  }
  const raw = { seam: { endpoint, apiKey, startFrom, pollInterval: '1s' }, rules: './rules', server: false }
  const config = parseConfig(raw, path.join(dir, 'config.json'), {})
  const start = performance.now()
  const daemon = await loaded.module.startDaemon({ config, logger: silentLogger, once: true })
  await daemon.done
  const ms = performance.now() - start
  const state = JSON.parse(await readFile(config.state, 'utf8')) as { source?: { cursor?: string } }
  const result = {
    ms: Math.round(ms),
    cursor: state.source?.cursor ?? null,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 102.4) / 10,
  }
  process.stdout.write(JSON.stringify(result) + '\n')
}

await main()
