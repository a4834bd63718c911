import { type Command, InvalidArgumentError } from 'commander'
import { loadConfig } from '../../config.js'
import { runReplay } from '../../rules/replay.js'
import { terminalSafe, terminalSafeJson, terminalSafeStream } from '../../terminal-text.js'

export interface CommandIo {
  stdout?: NodeJS.WritableStream
  stderr?: NodeJS.WritableStream
  env?: NodeJS.ProcessEnv
}

/** Commander argument parser: a usage error (one line, exit code 1) rather than a stack trace. */
export function positiveInt(text: string): number {
  const value = /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN
  if (!Number.isSafeInteger(value) || value < 1)
    throw new InvalidArgumentError(`expected a whole number >= 1, got ${JSON.stringify(text)}`)
  return value
}

interface ReplayFlags {
  events: string
  rules?: string
  config?: string
  until?: string
  reorderBuffer: number
}

/**
 * `seam-alerts replay --events FILE.jsonl [--rules DIR] [--config FILE] [--until ISO] [--reorder-buffer N]`.
 * --config resolves the time interval names of `inTimeInterval` conditions; --rules defaults to the config's
 * rules directory, else ./rules.
 */
export function register(program: Command, io: CommandIo = {}): void {
  program
    .command('replay')
    .description(
      'Evaluate the rules over a JSONL file of events; print one JSON line per decision (sends nothing)',
    )
    .requiredOption('--events <file>', 'JSONL file, one Seam event per line')
    .option('--rules <dir>', "rules directory (default: the config's rules, else ./rules)")
    .option(
      '--config <file>',
      'config file whose timeIntervals resolve interval names in conditions and whose limits apply',
    )
    .option(
      '--until <iso>',
      'fire absence timers with a deadline up to this time (default: the last occurred_at)',
    )
    .option(
      '--reorder-buffer <n>',
      'events held to restore (created_at, event_id) order',
      positiveInt,
      10_000,
    )
    .action(async (opts: ReplayFlags) => {
      const stderr = io.stderr ?? process.stderr
      let until: number | undefined
      if (opts.until !== undefined) {
        until = Date.parse(opts.until)
        if (Number.isNaN(until)) {
          stderr.write(`seam-alerts: --until: expected an ISO 8601 time, got ${JSON.stringify(opts.until)}\n`)
          process.exitCode = 1
          return
        }
      }
      const config = opts.config ? await loadConfig(opts.config, io.env ?? process.env) : undefined
      const summary = await runReplay({
        events: opts.events,
        rules: opts.rules ?? config?.rules ?? './rules',
        ...(config ? { timeIntervals: config.timeIntervals, limits: config.limits } : {}),
        reorderBuffer: opts.reorderBuffer,
        // Decision lines carry event-derived text (group values, event ids): JSON without terminal controls.
        stdout: terminalSafeStream(io.stdout ?? process.stdout, terminalSafeJson),
        stderr: terminalSafeStream(stderr, terminalSafe),
        env: io.env ?? process.env,
        ...(until !== undefined ? { until } : {}),
      })
      process.exitCode = summary.exitCode
    })
}
