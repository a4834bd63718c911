/**
 * `npm run bench [-- --quick] [-- --dist] [-- --only eval,replay,catchup,state,latency,regex]`: every benchmark of issue 7 in one
 * run. Prints human-readable tables, then as the LAST line one JSON object with every figure.
 */
import os from 'node:os'
import { EVENT_TYPES, EVENT_TYPES_ENV } from './event-types.js'
import { type BenchOptions, say } from './report.js'
import { catchupSection } from './sections/catchup.js'
import { evalSection } from './sections/eval.js'
import { failoverSection } from './sections/failover.js'
import { latencySection } from './sections/latency.js'
import { regexSection } from './sections/regex.js'
import { replaySection } from './sections/replay.js'
import { stateWriteSection } from './sections/state-write.js'

const SECTIONS = ['eval', 'replay', 'catchup', 'state', 'latency', 'regex'] as const

function parseArgs(argv: string[]): BenchOptions & { only: Set<string> } {
  const onlyIndex = argv.indexOf('--only')
  const only = onlyIndex >= 0 ? (argv[onlyIndex + 1] ?? '').split(',') : [...SECTIONS]
  for (const name of only) {
    if (!(SECTIONS as readonly string[]).includes(name))
      throw new Error(`unknown section ${name}; use ${SECTIONS}`)
  }
  return { quick: argv.includes('--quick'), dist: argv.includes('--dist'), only: new Set(only) }
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2))
  process.env[EVENT_TYPES_ENV] = JSON.stringify(EVENT_TYPES)
  const started = performance.now()
  const cpus = os.cpus()
  say(`# seam-alerts bench${opts.quick ? ' (--quick)' : ''}`)
  const load = () => os.loadavg().map((x) => Math.round(x * 100) / 100)
  say(
    `node ${process.version}, ${cpus.length} cores (${cpus[0]?.model ?? 'unknown'}), ${os.platform()}, load ${load()}`,
  )
  const result: Record<string, unknown> = {
    eval: null,
    replay_1m_s: null,
    replay_1m_rss_mb: null,
    catchup_1m_s: null,
    catchup_rss_mb: null,
    catchup_api_calls: null,
    state_write_ms: null,
    state_bytes: null,
    latency_ms: null,
    failover_ms: null,
    regex: null,
  }
  if (opts.only.has('eval')) result.eval = await evalSection(opts)
  if (opts.only.has('replay')) Object.assign(result, await replaySection(opts))
  if (opts.only.has('catchup')) Object.assign(result, await catchupSection(opts))
  if (opts.only.has('state')) Object.assign(result, await stateWriteSection(opts))
  if (opts.only.has('latency')) {
    result.latency_ms = await latencySection(opts)
    result.failover_ms = await failoverSection(opts)
  }
  if (opts.only.has('regex')) result.regex = await regexSection(opts)
  result.quick = opts.quick
  result.cores = cpus.length
  result.node = process.version
  result.total_s = Math.round((performance.now() - started) / 100) / 10
  result.loadavg_end = load()
  say(
    `\ntotal ${result.total_s} s; load average at the end ${load()} (figures are only comparable on an idle machine)`,
  )
  say(JSON.stringify(result))
}

await main()
