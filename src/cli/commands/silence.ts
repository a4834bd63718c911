import { type Command, Option } from 'commander'
import { silenceView } from '../../daemon/api/silences.js'
import { addSilence, expireSilenceById, listSilences, type SilenceView } from '../../noise/silence-ops.js'
import { createSilence, type SilenceIssue } from '../../noise/silence-request.js'
import { apiErrorText, callApi, findDaemon, unreachable } from '../noise/daemon-link.js'
import { action, CliFailure, usage, usageExit } from '../noise/failure.js'
import { silenceTable } from '../noise/format.js'
import { readThrough } from '../noise/read-through.js'
import { type NoiseCliSettings, readNoiseSettings } from '../noise/settings.js'
import { type AddFlags, defaultAuthor, flagIssue, requestOf } from '../noise/silence-add.js'
import { updateStateFile } from '../noise/state-access.js'

/** Where the commands write and what "now" is (tests pass their own). */
export interface SilenceCommandIo {
  stdout: { write(text: string): unknown }
  stderr: { write(text: string): unknown }
  now: () => number
  cwd: () => string
  env: NodeJS.ProcessEnv
}

/** The process's own streams, clock and environment (shared with the `history` command). */
export const defaultIo: SilenceCommandIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  now: Date.now,
  cwd: () => process.cwd(),
  env: process.env,
}

const settingsOf = (opts: { config?: string }, io: SilenceCommandIo) =>
  readNoiseSettings(opts.config, io.cwd(), io.env)

/** A write through the API needs the token; say where it comes from when it is missing. */
function tokenFor(settings: NoiseCliSettings, daemon: Parameters<typeof unreachable>[1]): string {
  if (settings.apiToken) return settings.apiToken
  const why = settings.envProblem
    ? `the API token cannot be read from ${settings.configFile} (${settings.envProblem.split('\n')[0]})`
    : `writes through its local API need "server.apiToken" in ${settings.configFile}, and none is set`
  throw unreachable(settings, daemon, why)
}

function issuesError(issues: SilenceIssue[], flags: AddFlags): CliFailure {
  return usage(`invalid silence: ${issues.map((issue) => flagIssue(issue, flags)).join('; ')}`)
}

const describe = (s: SilenceView) =>
  `Silence ${s.status === 'pending' ? `pending from ${s.startsAt}` : s.status} until ${s.endsAt} (${s.matchers.join(', ')}): ${s.id}`

async function add(flags: AddFlags, io: SilenceCommandIo): Promise<void> {
  if ((flags.duration === undefined) === (flags.end === undefined))
    throw usage(
      'give how long the silence lasts: --duration (like 2h) or --end (an ISO 8601 time), one of them',
    )
  const request = requestOf(flags, flags.author ?? defaultAuthor(io.env))
  // Checked here first, so a mistake is named by its flag whether or not the daemon runs.
  const checked = createSilence(request, { now: io.now(), defaultAuthor: defaultAuthor(io.env) })
  if (!checked.ok) throw issuesError(checked.issues, flags)
  const settings = await settingsOf(flags, io)
  const daemon = await findDaemon(settings)
  if (daemon) {
    const token = tokenFor(settings, daemon)
    const answer = await callApi(settings, daemon, 'POST', '/api/v1/silences', { body: request, token })
    if (answer.status === 400) {
      const issues = (answer.body as { issues?: SilenceIssue[] }).issues
      throw issues?.length ? issuesError(issues, flags) : usage(apiErrorText(answer))
    }
    if (answer.status !== 201) throw new CliFailure(apiErrorText(answer))
    io.stdout.write(`${describe(answer.body as SilenceView)}\n`)
    return
  }
  const now = io.now()
  const stored = await updateStateFile(settings, now, (state) => {
    const made = createSilence(request, { now, defaultAuthor: defaultAuthor(io.env) })
    if (!made.ok) throw issuesError(made.issues, flags)
    return addSilence(state, made.silence)
  })
  io.stdout.write(
    `The daemon is not running: saved in ${settings.stateFile}; it applies from the daemon's next start.\n`,
  )
  io.stdout.write(`${describe(silenceView(stored, now))}\n`)
}

async function list(opts: { config?: string; expired?: boolean; json?: boolean }, io: SilenceCommandIo) {
  const settings = await settingsOf(opts, io)
  const silences = await readThrough(
    settings,
    `/api/v1/silences${opts.expired ? '?expired=true' : ''}`,
    (state) => listSilences(state, io.now(), { expired: Boolean(opts.expired) }),
    io.stderr,
  )
  io.stdout.write(opts.json ? `${JSON.stringify(silences, null, 2)}\n` : silenceTable(silences))
}

const noSuchSilence = (id: string, settings: NoiseCliSettings) =>
  new CliFailure(
    `no silence with id ${JSON.stringify(id)} in ${settings.stateFile} (see: seam-alerts silence list --expired)`,
  )

async function expire(id: string, opts: { config?: string }, io: SilenceCommandIo): Promise<void> {
  const settings = await settingsOf(opts, io)
  const daemon = await findDaemon(settings)
  let view: SilenceView
  if (daemon) {
    const token = tokenFor(settings, daemon)
    const path = `/api/v1/silences/${encodeURIComponent(id)}`
    const answer = await callApi(settings, daemon, 'DELETE', path, { token })
    if (answer.status === 404) throw noSuchSilence(id, settings)
    if (answer.status !== 200) throw new CliFailure(apiErrorText(answer))
    view = answer.body as SilenceView
  } else {
    const now = io.now()
    const stored = await updateStateFile(settings, now, (state) => expireSilenceById(state, id, now))
    if (!stored) throw noSuchSilence(id, settings)
    view = silenceView(stored, now)
    io.stdout.write(`The daemon is not running: saved in ${settings.stateFile}.\n`)
  }
  io.stdout.write(`Silence ${view.id} expired (ended ${view.endsAt}).\n`)
}

const configOption = () => new Option('--config <file>', 'the config file (default ./config.json)')
const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value]

export function register(program: Command, io: SilenceCommandIo = defaultIo): void {
  const silence = program
    .command('silence')
    .description(
      'Hold back matching alerts for a while: add, list and expire silences (daemon running or not)',
    )
  usageExit(
    silence
      .command('add')
      .description('Create a silence; prints its id as the last word of the last line')
      .addOption(configOption())
      .requiredOption(
        '--matcher <matcher>',
        'name=value, name!=value, name=~regex or name!~regex (repeat: all must match)',
        collect,
      )
      .option('--duration <duration>', 'how long, like 2h or 7d (or give --end)')
      .option('--end <iso>', 'when it ends, ISO 8601 (instead of --duration)')
      .option('--start <iso>', 'when it starts, ISO 8601 (default now)')
      .requiredOption('--comment <text>', 'why (shown in lists and in the end-of-silence summary)')
      .option('--author <name>', 'who made it (default: the OS user name)')
      .option('--no-summary', 'do not send the end-of-silence summary of what it held back'),
  ).action(action((flags: AddFlags) => add(flags, io), io.stderr))
  usageExit(
    silence
      .command('list')
      .description('List active and pending silences (--expired: recently ended ones too)')
      .addOption(configOption())
      .option('--expired', 'include expired silences')
      .option('--json', 'one JSON array, each silence with status and suppressed'),
  ).action(action((opts) => list(opts, io), io.stderr))
  usageExit(
    silence
      .command('expire')
      .description('End a silence now')
      .argument('<id>', 'the silence id (from silence add or silence list)')
      .addOption(configOption()),
  ).action(action((id: string, opts: { config?: string }) => expire(id, opts, io), io.stderr))
}
