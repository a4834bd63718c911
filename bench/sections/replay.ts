import { existsSync, readdirSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { writeEventsJsonl } from '../generate.js'
import { generateRules } from '../generate-rules.js'
import { type ChildRun, REPO, runChild, runJsonScript, TSX_NODE } from '../measure.js'
import { type BenchOptions, say, skipped, stderrGist } from '../report.js'
import { round } from '../stats.js'

export interface ReplayFigures {
  replay_1m_s: number | null
  replay_1m_rss_mb: number | null
  replay_events: number
  replay_decisions: number | null
  /** The same command over a one-event file: process start, module loading and rule loading. */
  replay_startup_s: number | null
  replay_startup_rss_mb: number | null
  /** Event-limit checks (depth, size) as a share of the replay's CPU time (else wall time), measured in the same run. */
  replay_limits_pct: number | null
}

interface LimitsRun {
  events: number
  with_ms: number
  without_ms: number
  walk_ms: number
  extra_median_ms: number
  rejected: number
}

/** The shipped rules/ when it has rule files, else 100 generated rules written to `dir`. */
async function rulesDir(dir: string): Promise<{ dir: string; what: string }> {
  const shipped = path.join(REPO, 'rules')
  const files = existsSync(shipped)
    ? readdirSync(shipped).filter((f) => f.endsWith('.json') && f !== 'schema.json')
    : []
  if (files.length > 0) return { dir: 'rules', what: `the ${files.length} shipped rules in rules/` }
  const generated = path.join(dir, 'rules')
  await mkdir(generated)
  for (const rule of generateRules(100)) {
    await writeFile(path.join(generated, `${rule.id}.json`), JSON.stringify(rule, null, 2))
  }
  return { dir: generated, what: '100 generated rules (rules/ has no rule files yet)' }
}

/**
 * What the event limits (issue 17: depth and size, checked before the schema) cost, against the replay above: the
 * same file's events validated with and without the limits in one child process, on paired slices of 500 events
 * (bench/limits-worker.ts). CPU time on both sides when /usr/bin/time gives the replay's (a busy host stretches wall
 * time, not CPU time), else the replay's wall time.
 */
async function limitsCost(file: string, replay: ChildRun, out: ReplayFigures): Promise<void> {
  const run = await runJsonScript<LimitsRun>('bench/limits-worker.ts', [file], { nodeArgs: ['--expose-gc'] })
  if ('why' in run) {
    skipped('replay limits', run.why)
    return
  }
  const { events, with_ms, without_ms, walk_ms, extra_median_ms, rejected } = run.result
  const [base, what] = replay.cpuMs ? [replay.cpuMs, 'CPU time'] : [replay.wallMs, 'wall time']
  const extra = Math.max(0, with_ms - without_ms)
  out.replay_limits_pct = round((extra / base) * 100, 2)
  say(
    `event limits (depth ${'<='} 32, size ${'<='} 256 KiB): validateEvent over the ${events.toLocaleString('en-US')} ` +
      `events ${with_ms} ms with limits, ${without_ms} ms without (CPU, same run, paired slices); the limits walk ` +
      `alone ${walk_ms} ms; ${rejected} rejected`,
  )
  say(
    `limits cost ${round(extra, 1)} ms = ${out.replay_limits_pct}% of the replay's ${what} (${round(base / 1000, 2)} s); ` +
      `median of the pairs ${extra_median_ms} ms; the walk alone ${round((walk_ms / base) * 100, 2)}%; the budget is 5%`,
  )
}

/** Section 2: the real `seam-alerts replay` CLI over a JSONL file on disk, in a child process. */
export async function replaySection(opts: BenchOptions): Promise<ReplayFigures> {
  const events = opts.quick ? 100_000 : 1_000_000
  const out: ReplayFigures = {
    replay_1m_s: null,
    replay_1m_rss_mb: null,
    replay_events: events,
    replay_decisions: null,
    replay_startup_s: null,
    replay_startup_rss_mb: null,
    replay_limits_pct: null,
  }
  say(`\n## 2. Replay (seam-alerts replay over ${events.toLocaleString('en-US')} events in a JSONL file)`)
  const command = opts.dist ? 'dist/cli/commands/replay.js' : 'src/cli/commands/replay.ts'
  if (!existsSync(path.join(REPO, command))) {
    skipped('replay', `${command} does not exist${opts.dist ? ' (run npm run build)' : ' yet'}`)
    return out
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'seam-alerts-bench-replay-'))
  try {
    const file = path.join(dir, 'events.jsonl')
    const bytes = await writeEventsJsonl(file, events)
    const rules = await rulesDir(dir)
    const one = path.join(dir, 'one.jsonl')
    await writeEventsJsonl(one, 1)
    const replay = (input: string) => {
      const cli = opts.dist ? ['bin/seam-alerts.js'] : [...TSX_NODE.slice(1), 'src/cli/entry.ts']
      const args = [...cli, 'replay', '--events', input, '--rules', rules.dir]
      return runChild(TSX_NODE[0], args, { keepStdout: false, env: { ...process.env, LOG_LEVEL: 'warn' } })
    }
    const startup = opts.quick ? undefined : await replay(one)
    if (startup?.code === 0) {
      out.replay_startup_s = round(startup.wallMs / 1000, 2)
      out.replay_startup_rss_mb = startup.peakRssMb
    }
    const run = await replay(file)
    if (run.code !== 0) {
      skipped('replay', `exit ${run.code}: ${stderrGist(run.stderr)}`)
      return out
    }
    out.replay_1m_s = round(run.wallMs / 1000, 2)
    out.replay_1m_rss_mb = run.peakRssMb
    out.replay_decisions = run.stdoutLines
    say(
      `file ${round(bytes / 1048576, 0)} MB; rules: ${rules.what}; ${opts.dist ? 'node bin/seam-alerts.js' : 'node --import tsx src/cli/entry.ts'} replay`,
    )
    say(
      `wall ${out.replay_1m_s} s (${Math.round(events / (run.wallMs / 1000)).toLocaleString('en-US')} events/s, process start included)`,
    )
    say(`peak RSS ${run.peakRssMb} MB; ${run.stdoutLines.toLocaleString('en-US')} decision lines on stdout`)
    if (startup)
      say(
        `of which start-up (the same command over one event): ${out.replay_startup_s} s, ${out.replay_startup_rss_mb} MB RSS`,
      )
    await limitsCost(file, run, out)
    return out
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
