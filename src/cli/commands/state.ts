import { existsSync, promises as fs } from 'node:fs'
import path from 'node:path'
import { type Command, Option } from 'commander'
import { loadConfig } from '../../config.js'
import { SeamAlertsError } from '../../errors.js'
import { DEFAULT_STATE_FILE_MAX, limitsSchema } from '../../limits.js'
import { scrubDeep, scrubSecrets } from '../../secrets/scrub.js'
import { requeueDeadLetters } from '../../state/dead-letters.js'
import { JsonFileStore } from '../../state/json-file-store.js'
import { canonicalStatePath, describeOwner, lockStatus } from '../../state/lock.js'
import { readStateFile } from '../../state/state-file.js'
import { emptyState, type State } from '../../state/state-schema.js'
import { formatSummary, humanBytes, summarizeState } from '../../state/summary.js'
import { terminalSafe, terminalSafeJson } from '../../terminal-text.js'

/** Where the command writes and what "now" is (tests pass their own). */
export interface StateCommandIo {
  stdout: { write(text: string): unknown }
  now: () => number
  cwd: () => string
  env: NodeJS.ProcessEnv
}

const defaultIo: StateCommandIo = {
  stdout: process.stdout,
  now: Date.now,
  cwd: () => process.cwd(),
  env: process.env,
}

interface FileOptions {
  state?: string
  config?: string
}

interface StateTarget {
  /** The real state file: a symlink is resolved, so `.bak` and the lock are the ones beside the real file. */
  file: string
  /** `limits.stateFileMax` from the config (default 256 MiB): a bigger file is refused before it is read. */
  maxBytes: number
}

/** --state wins; else the config's `state`; else ./config.json's when it exists; else ./state.json. */
async function resolveStateFile(opts: FileOptions, io: StateCommandIo): Promise<StateTarget> {
  const { file, maxBytes } = await stateFileSetting(opts, io)
  return { file: await canonicalStatePath(file), maxBytes: maxBytes ?? DEFAULT_STATE_FILE_MAX }
}

/** The state file and `limits.stateFileMax` as the config says (the config is optional with --state). */
async function stateFileSetting(
  opts: FileOptions,
  io: StateCommandIo,
): Promise<{ file: string; maxBytes?: number }> {
  const defaultConfig = path.join(io.cwd(), 'config.json')
  const configFile = opts.config
    ? path.resolve(io.cwd(), opts.config)
    : existsSync(defaultConfig)
      ? defaultConfig
      : undefined
  const given = opts.state ? path.resolve(io.cwd(), opts.state) : undefined
  if (!configFile) return { file: given ?? path.join(io.cwd(), 'state.json') }
  try {
    const fromConfig = await readStateSettings(configFile, io)
    return given ? { ...fromConfig, file: given } : fromConfig
  } catch (error) {
    // --state names the file: a config that cannot be read only costs its limits (the defaults apply).
    if (given) return { file: given }
    throw error
  }
}

async function readStateSettings(configFile: string, io: StateCommandIo) {
  try {
    const config = await loadConfig(configFile, io.env)
    return { file: config.state, maxBytes: config.limits.stateFileMax }
  } catch (error) {
    // The state commands need no secrets: a config whose ${ENV} references are unset still names its state file.
    if (!(error instanceof SeamAlertsError) || error.code !== 'CONFIG_ENV_MISSING') throw error
    const raw = JSON.parse(await fs.readFile(configFile, 'utf8')) as { state?: unknown; limits?: unknown }
    const state = typeof raw.state === 'string' && !raw.state.includes('${') ? raw.state : './state.json'
    const limits = limitsSchema.safeParse(raw.limits)
    return {
      file: path.resolve(path.dirname(configFile), state),
      ...(limits.success ? { maxBytes: limits.data.stateFileMax } : {}),
    }
  }
}

const fileOptions = (command: Command) =>
  command
    .addOption(new Option('--state <file>', 'the state file (default: from the config, else ./state.json)'))
    .addOption(new Option('--config <file>', 'read the state path from this config (default ./config.json)'))

const sizeOf = async (file: string) => (await fs.stat(file).catch(() => undefined))?.size

const lockedHint = (what: string) =>
  `Stop the daemon before ${what} (the state commands that write refuse while it runs).`

async function show(opts: FileOptions & { json?: boolean }, io: StateCommandIo): Promise<void> {
  const { file, maxBytes } = await resolveStateFile(opts, io)
  const lock = await lockStatus(file)
  const state = await readStateFile(file, undefined, undefined, maxBytes)
  const backupBytes = await sizeOf(`${file}.bak`)
  const backup = backupBytes === undefined ? null : { file: `${file}.bak`, bytes: backupBytes }
  const daemon = lock.locked ? { running: true, ...(lock.owner ?? {}) } : { running: false }
  if (!state) {
    if (opts.json) io.stdout.write(`${JSON.stringify({ file, exists: false, backup, daemon })}\n`)
    else io.stdout.write(`No state file at ${file}: the daemon will start fresh (from seam.startFrom).\n`)
    return
  }
  const bytes = (await sizeOf(file)) ?? 0
  const summary = summarizeState(state, io.now())
  if (opts.json) {
    io.stdout.write(
      terminalSafeJson(
        `${JSON.stringify({ file, exists: true, bytes, backup, daemon, ...summary }, null, 2)}\n`,
      ),
    )
    return
  }
  const lines = [
    `State file    ${file} (${humanBytes(bytes)})`,
    `Backup        ${backup ? `${backup.file} (${humanBytes(backup.bytes)})` : 'none yet'}`,
    `Daemon        ${lock.locked ? `running: ${describeOwner(lock.owner)}` : 'not running'}`,
    ...formatSummary(summary),
  ]
  io.stdout.write(terminalSafe(`${lines.join('\n')}\n`))
}

async function restore(opts: FileOptions, io: StateCommandIo): Promise<void> {
  const { file, maxBytes } = await resolveStateFile(opts, io)
  const store = await JsonFileStore.open(file, { lockedHint: lockedHint('restoring'), maxBytes })
  try {
    const backupFile = `${file}.bak`
    const backup = await readStateFile(
      backupFile,
      undefined,
      `The backup cannot be used. Start fresh instead: seam-alerts state reset --from now --state ${JSON.stringify(file)}`,
      maxBytes,
    )
    if (!backup) {
      throw new SeamAlertsError(
        'USAGE',
        `No backup at ${backupFile}. To start fresh: seam-alerts state reset --from now --state ${JSON.stringify(file)}`,
      )
    }
    await store.save(backup)
    io.stdout.write(
      `Restored ${file} from ${backupFile} (cursor ${backup.source.cursor ?? 'none'}).\n` +
        (store.movedAside
          ? `The damaged file was moved to ${store.movedAside}.\n`
          : `The replaced generation is now ${backupFile}.\n`),
    )
  } finally {
    await store.close()
  }
}

function parseFrom(from: string, now: number): string {
  if (from === 'now') return new Date(now).toISOString()
  const at = Date.parse(from)
  if (Number.isNaN(at))
    throw new SeamAlertsError('USAGE', `--from: expected "now" or an ISO 8601 time, got "${from}"`)
  return new Date(at).toISOString()
}

async function reset(opts: FileOptions & { from: string }, io: StateCommandIo): Promise<void> {
  const { file, maxBytes } = await resolveStateFile(opts, io)
  const from = parseFrom(opts.from, io.now())
  const store = await JsonFileStore.open(file, { lockedHint: lockedHint('resetting'), maxBytes })
  try {
    const state: State = emptyState()
    state.source.cursor = from
    state.source.floor = from
    state.updatedAt = io.now()
    await store.save(state)
    const kept = store.movedAside
      ? `The damaged file was moved to ${store.movedAside}.`
      : existsSync(`${file}.bak`)
        ? `The previous generation is kept at ${file}.bak.`
        : ''
    io.stdout.write(
      `${[`Reset ${file}: the daemon will read events from ${from} on.`, kept].filter(Boolean).join(' ')}\n`,
    )
  } finally {
    await store.close()
  }
}

async function deadLetters(
  opts: FileOptions & { retry?: boolean; id?: string[]; json?: boolean },
  io: StateCommandIo,
): Promise<void> {
  const { file, maxBytes } = await resolveStateFile(opts, io)
  if (!opts.retry) {
    const state = await readStateFile(file, undefined, undefined, maxBytes)
    const wanted = opts.id?.length ? new Set(opts.id) : undefined
    const items = (state?.deadLetters ?? []).filter((d) => !wanted || wanted.has(d.id))
    // Scrubbed again on the way out (when the config was read): a file written before scrubbing existed.
    if (opts.json) {
      io.stdout.write(terminalSafeJson(`${JSON.stringify(scrubDeep(items), null, 2)}\n`))
      return
    }
    if (items.length === 0) io.stdout.write('No dead letters.\n')
    for (const d of items) {
      // Ids hold event ids and reasons hold server answers: printed without terminal controls or bidi overrides.
      io.stdout.write(
        `${terminalSafe(`${new Date(d.deadAt).toISOString()}  ${d.id}  -> ${d.target}  (${d.attempts} attempts) ${scrubSecrets(d.reason)}`)}\n`,
      )
    }
    return
  }
  const store = await JsonFileStore.open(file, {
    lockedHint: lockedHint('re-queueing dead letters'),
    maxBytes,
  })
  try {
    const state = await store.load()
    if (!state) throw new SeamAlertsError('USAGE', `No state file at ${file}: nothing to retry.`)
    const result = requeueDeadLetters(state, io.now(), opts.id)
    if (result.missing.length > 0) {
      throw new SeamAlertsError('USAGE', `No dead letter with id ${result.missing.join(', ')} in ${file}.`)
    }
    if (result.requeued.length > 0) {
      state.updatedAt = io.now()
      await store.save(state)
    }
    io.stdout.write(
      `Re-queued ${result.requeued.length} dead letter(s); the daemon delivers them on its next start.\n`,
    )
  } finally {
    await store.close()
  }
}

export function register(program: Command, io: StateCommandIo = defaultIo): void {
  const state = program.command('state').description('Inspect and repair the state file')
  fileOptions(
    state
      .command('show')
      .description('Summary: cursor, lag, seen ids, windows, timers, incidents, outbox, dead letters')
      .option('--json', 'machine-readable output'),
  ).action((opts) => show(opts, io))
  fileOptions(
    state
      .command('restore')
      .description('Replace the state file by its previous good generation (<file>.bak)'),
  ).action((opts) => restore(opts, io))
  fileOptions(
    state
      .command('reset')
      .description('Write a fresh state that reads events from the given time on (asks nothing)')
      .requiredOption('--from <when>', '"now" or an ISO 8601 time'),
  ).action((opts) => reset(opts, io))
  fileOptions(
    state
      .command('dead-letters')
      .description('List alerts that could not be delivered; --retry puts them back in the outbox')
      .option('--retry', 'move them back to the outbox with attempts reset (daemon must be stopped)')
      .option('--id <id...>', 'only these dead letters')
      .option('--json', 'machine-readable output'),
  ).action((opts) => deadLetters(opts, io))
}
