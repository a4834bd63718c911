import { existsSync, readdirSync, readFileSync } from 'node:fs'
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
  /**
   * The same file replayed with only the shipped rules of the kinds that existed before the fleet kinds (no
   * firstSeen, spike or window.distinct), in the same run: the fleet rules' cost is replay_1m_s / this.
   */
  replay_1m_base_s: number | null
  /** Wall-time ratio (noisy on a shared machine: the load can change between the two runs). */
  replay_fleet_over_base: number | null
  /** CPU time (user + system) of the two runs and their ratio: the figure to compare on a loaded machine. */
  replay_1m_cpu_s: number | null
  replay_1m_base_cpu_s: number | null
  replay_fleet_over_base_cpu: number | null
}

const FLEET_KEYS = ['"firstSeen"', '"spike"', '"distinct"']

/** A copy of `dir` without the rules that use a fleet kind: the rule set as it was before them. */
async function baseRulesDir(dir: string, into: string): Promise<{ dir: string; count: number } | null> {
  const source = path.resolve(REPO, dir)
  const files = readdirSync(source).filter((f) => f.endsWith('.json') && f !== 'schema.json')
  const base = path.join(into, 'base-rules')
  await mkdir(base)
  let count = 0
  for (const file of files) {
    const text = readFileSync(path.join(source, file), 'utf8')
    if (FLEET_KEYS.some((key) => text.includes(key))) continue
    await writeFile(path.join(base, file), text)
    count++
  }
  return count === files.length ? null : { dir: base, count }
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
    replay_1m_base_s: null,
    replay_fleet_over_base: null,
    replay_1m_cpu_s: null,
    replay_1m_base_cpu_s: null,
    replay_fleet_over_base_cpu: null,
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
    const replay = (input: string, rulesDir = rules.dir) => {
      const cli = opts.dist ? ['bin/seam-alerts.js'] : [...TSX_NODE.slice(1), 'src/cli/entry.ts']
      const args = [...cli, 'replay', '--events', input, '--rules', rulesDir]
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
    const base = await baseRulesDir(rules.dir, dir)
    if (base) {
      const plain = await replay(file, base.dir)
      if (plain.code === 0) {
        out.replay_1m_base_s = round(plain.wallMs / 1000, 2)
        out.replay_fleet_over_base = round(run.wallMs / plain.wallMs, 2)
        if (run.cpuMs !== null && plain.cpuMs !== null) {
          out.replay_1m_cpu_s = round(run.cpuMs / 1000, 2)
          out.replay_1m_base_cpu_s = round(plain.cpuMs / 1000, 2)
          out.replay_fleet_over_base_cpu = round(run.cpuMs / plain.cpuMs, 2)
        }
        say(
          `the same file with the ${base.count} rules of the earlier kinds only (no firstSeen, spike, window.distinct): ` +
            `${out.replay_1m_base_s} s; with the fleet rules / without: ${out.replay_fleet_over_base}x wall, ` +
            `${out.replay_fleet_over_base_cpu ?? 'n/a'}x CPU (${out.replay_1m_cpu_s} s / ${out.replay_1m_base_cpu_s} s)`,
        )
      } else skipped('replay (base rules)', `exit ${plain.code}: ${stderrGist(plain.stderr)}`)
    }
    return out
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
