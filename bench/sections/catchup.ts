import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { runJsonScript } from '../measure.js'
import { optionalImport } from '../optional-import.js'
import { type BenchOptions, errorText, say, skipped } from '../report.js'
import { round } from '../stats.js'

export interface CatchupFigures {
  /** The real daemon (`startDaemon({ once: true })`): fetch, evaluate, persist state per batch, until caught up. */
  catchup_1m_s: number | null
  catchup_rss_mb: number | null
  catchup_api_calls: number | null
  /** The event source alone (SeamClient + ApiEventSource), without evaluation or state writes. */
  catchup_source_s: number | null
  catchup_source_rss_mb: number | null
  catchup_source_api_calls: number | null
  catchup_events: number
}

interface Emulator {
  url: string
  apiKey: string
  readonly requests: number
  generate(opts: { count: number; from: number; to: number; eventType?: string; deviceIds?: string[] }): void
  close(): Promise<void>
}

const DAY = 86_400_000

/** Rules that see every event (all lock.unlocked) but rarely fire, so catch-up is not a delivery benchmark. */
const CATCHUP_RULES = [
  {
    id: 'unlock-burst',
    eventTypes: ['lock.unlocked'],
    groupBy: ['device_id'],
    window: { count: 50, within: '1m' },
  },
  {
    id: 'unlock-watched-door',
    eventTypes: ['lock.unlocked'],
    conditions: { all: [{ fact: 'device_id', operator: 'equal', value: 'device_7' }] },
    groupBy: ['device_id'],
    throttle: '1d',
  },
  {
    id: 'unlock-foreign-workspace',
    eventTypes: ['lock.*'],
    conditions: { all: [{ fact: 'workspace_id', operator: 'notEqual', value: 'ws_emulator' }] },
    groupBy: [],
  },
].map((rule) => ({ ...rule, actions: [{ type: 'console' }] }))

interface WorkerLine {
  ms: number
  events?: number
  caughtUp?: boolean
}

/** Run a catch-up worker; its JSON line, or the reason it could not run. */
const runWorker = (script: string, args: string[], timeoutMs: number) =>
  runJsonScript<WorkerLine>(script, args, { timeoutMs })

/**
 * Section 3: a backlog spread over three days in the strict emulator (in this process). First the real
 * ApiEventSource alone walks it from a cursor older than the backlog until caughtUp; then the real daemon
 * (`startDaemon({ once: true })`, which catches up fully in one cycle) does the same with rules and a state file.
 * Each runs in a child process so its peak RSS is its own.
 */
export async function catchupSection(opts: BenchOptions): Promise<CatchupFigures> {
  const count = opts.quick ? 100_000 : 1_000_000
  const out: CatchupFigures = {
    catchup_1m_s: null,
    catchup_rss_mb: null,
    catchup_api_calls: null,
    catchup_source_s: null,
    catchup_source_rss_mb: null,
    catchup_source_api_calls: null,
    catchup_events: count,
  }
  say(
    `\n## 3. Catch-up (a ${count.toLocaleString('en-US')}-event backlog over 3 days in the strict emulator)`,
  )
  const loaded = await optionalImport<{ startStrictEmulator(): Promise<Emulator> }>(
    'test/helpers/strict-emulator.js',
  )
  if ('missing' in loaded) {
    skipped('catch-up', loaded.missing)
    return out
  }
  const emulator = await loaded.module.startStrictEmulator()
  const dir = await mkdtemp(path.join(os.tmpdir(), 'seam-alerts-bench-catchup-'))
  try {
    const now = Date.now()
    const deviceIds = Array.from({ length: 500 }, (_, i) => `device_${i}`)
    emulator.generate({ count, from: now - 3 * DAY, to: now - 60_000, deviceIds })
    const startFrom = new Date(now - 3 * DAY - 3_600_000).toISOString()
    const timeoutMs = opts.quick ? 60_000 : 15 * 60_000
    const base = [emulator.url, emulator.apiKey, startFrom]

    let before = emulator.requests
    const source = await runWorker(
      'bench/catchup-worker.ts',
      [...base, String(timeoutMs)],
      timeoutMs + 30_000,
    )
    if ('why' in source) skipped('catch-up (source)', source.why)
    else {
      out.catchup_source_s = round(source.result.ms / 1000, 2)
      out.catchup_source_rss_mb = source.peakRssMb
      out.catchup_source_api_calls = emulator.requests - before
      const caught = source.result.caughtUp ? '' : ' — did NOT catch up within the time cap'
      say(
        `source alone (ApiEventSource): ${source.result.events?.toLocaleString('en-US')} events in ${out.catchup_source_s} s,` +
          ` peak RSS ${source.peakRssMb} MB, ${out.catchup_source_api_calls} /events/list calls${caught}`,
      )
    }

    await mkdir(path.join(dir, 'rules'))
    for (const rule of CATCHUP_RULES)
      await writeFile(path.join(dir, 'rules', `${rule.id}.json`), JSON.stringify(rule))
    before = emulator.requests
    const daemon = await runWorker('bench/catchup-daemon-worker.ts', [...base, dir], timeoutMs)
    if ('why' in daemon) skipped('catch-up (daemon)', daemon.why)
    else {
      out.catchup_1m_s = round(daemon.result.ms / 1000, 2)
      out.catchup_rss_mb = daemon.peakRssMb
      out.catchup_api_calls = emulator.requests - before
      say(
        `daemon (startDaemon --once, ${CATCHUP_RULES.length} rules, state saved per batch): ${out.catchup_1m_s} s,` +
          ` peak RSS ${daemon.peakRssMb} MB, ${out.catchup_api_calls} API calls; ${daemon.line}`,
      )
    }
    return out
  } catch (error) {
    skipped('catch-up', errorText(error))
    return out
  } finally {
    await emulator.close()
    await rm(dir, { recursive: true, force: true })
  }
}
