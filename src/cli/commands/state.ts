import { existsSync, promises as fs } from 'node:fs'
import path from 'node:path'
import { type Command, Option } from 'commander'
import { loadConfig } from '../../config.js'
import { SeamAlertsError } from '../../errors.js'
import { limitsSchema } from '../../limits.js'
import { scrubDeep, scrubSecrets } from '../../secrets/scrub.js'
import { requeueDeadLetters } from '../../state/dead-letters.js'
import { JsonFileStore } from '../../state/json-file-store.js'
import { describeOwner, lockStatus } from '../../state/lock.js'
import { PostgresStore } from '../../state/postgres/postgres-store.js'
import { isPostgresUrl } from '../../state/postgres/target.js'
import { readStateFile } from '../../state/state-file.js'
import { emptyState, type State } from '../../state/state-schema.js'
import type { Store } from '../../state/store.js'
import { formatSummary, humanBytes, summarizeState } from '../../state/summary.js'
import { terminalSafe, terminalSafeJson } from '../../terminal-text.js'
import {
  locate,
  rawPostgresSection,
  rawStateSetting,
  readLocation,
  type StateLocation,
  withExclusiveStore,
} from '../state/location.js'
import { showPostgres } from '../state/show-postgres.js'
import { exportState, importState } from '../state/transfer.js'

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

/** --state wins; else the config's `state`; else ./config.json's when it exists; else ./state.json. */
export async function resolveLocation(opts: FileOptions, io: StateCommandIo): Promise<StateLocation> {
  const defaultConfig = path.join(io.cwd(), 'config.json')
  const configFile = opts.config
    ? path.resolve(io.cwd(), opts.config)
    : existsSync(defaultConfig)
      ? defaultConfig
      : undefined
  const given =
    opts.state === undefined
      ? undefined
      : isPostgresUrl(opts.state)
        ? opts.state
        : path.resolve(io.cwd(), opts.state)
  if (!configFile) return locate(given ?? path.join(io.cwd(), 'state.json'))
  try {
    const settings = await readStateSettings(configFile, io)
    return locate(given ?? settings.state, settings)
  } catch (error) {
    // --state names the file: a config that cannot be read only costs its limits (the defaults apply).
    if (given) return locate(given)
    throw error
  }
}

async function readStateSettings(configFile: string, io: StateCommandIo) {
  try {
    const config = await loadConfig(configFile, io.env)
    return { state: config.state, maxBytes: config.limits.stateFileMax, postgres: config.postgres }
  } catch (error) {
    // The state commands need no secrets: a config whose ${ENV} references are unset still names its state
    // (unless the state setting itself needs one: a database password).
    if (!(error instanceof SeamAlertsError) || error.code !== 'CONFIG_ENV_MISSING') throw error
    const raw = JSON.parse(await fs.readFile(configFile, 'utf8')) as Record<string, unknown>
    const limits = limitsSchema.safeParse(raw.limits)
    return {
      state: rawStateSetting(raw, configFile, io.env, error),
      postgres: rawPostgresSection(raw),
      ...(limits.success ? { maxBytes: limits.data.stateFileMax } : {}),
    }
  }
}

const fileOptions = (command: Command) =>
  command
    .addOption(
      new Option(
        '--state <file>',
        'the state file or postgres:// URL (default: from the config, else ./state.json)',
      ),
    )
    .addOption(
      new Option('--config <file>', 'read the state setting from this config (default ./config.json)'),
    )

const sizeOf = async (file: string) => (await fs.stat(file).catch(() => undefined))?.size

const lockedHint = (what: string) =>
  `Stop the daemon before ${what} (the state commands that write refuse while it runs).`

async function show(opts: FileOptions & { json?: boolean }, io: StateCommandIo): Promise<void> {
  const location = await resolveLocation(opts, io)
  if (location.kind === 'postgres') return showPostgres(location, Boolean(opts.json), io)
  const { file, maxBytes } = location
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
  const location = await resolveLocation(opts, io)
  if (location.kind === 'postgres') {
    await withExclusiveStore(location, lockedHint('restoring'), async (store) => {
      if (!(store instanceof PostgresStore)) throw new Error('expected the PostgreSQL store')
      const { state, writtenAt } = await store.restorePrevious()
      io.stdout.write(
        `Restored the state ${location.label} to its previous generation (written ${writtenAt}; cursor ${state.source.cursor ?? 'none'}).\n` +
          'The replaced generation is now the previous one: running restore again swaps them back.\n',
      )
    })
    return
  }
  const { file, maxBytes } = location
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

/** After a file store's write: where the replaced or damaged generation went. */
function keptNote(store: Store, file: string): string {
  const moved = store instanceof JsonFileStore ? store.movedAside : undefined
  if (moved) return `The damaged file was moved to ${moved}.`
  return existsSync(`${file}.bak`) ? `The previous generation is kept at ${file}.bak.` : ''
}

async function reset(opts: FileOptions & { from: string }, io: StateCommandIo): Promise<void> {
  const location = await resolveLocation(opts, io)
  const from = parseFrom(opts.from, io.now())
  await withExclusiveStore(location, lockedHint('resetting'), async (store) => {
    const state: State = emptyState()
    state.source.cursor = from
    state.source.floor = from
    state.updatedAt = io.now()
    await store.save(state)
    const kept = location.kind === 'file' ? keptNote(store, location.file) : ''
    io.stdout.write(
      `${[`Reset ${location.label}: the daemon will read events from ${from} on.`, kept].filter(Boolean).join(' ')}\n`,
    )
  })
}

async function deadLetters(
  opts: FileOptions & { retry?: boolean; id?: string[]; json?: boolean },
  io: StateCommandIo,
): Promise<void> {
  const location = await resolveLocation(opts, io)
  if (!opts.retry) {
    const state = await readLocation(location)
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
  await withExclusiveStore(location, lockedHint('re-queueing dead letters'), async (store) => {
    const state = await store.load()
    if (!state) throw new SeamAlertsError('USAGE', `No state at ${location.label}: nothing to retry.`)
    const result = requeueDeadLetters(state, io.now(), opts.id)
    if (result.missing.length > 0) {
      throw new SeamAlertsError(
        'USAGE',
        `No dead letter with id ${result.missing.join(', ')} in ${location.label}.`,
      )
    }
    if (result.requeued.length > 0) {
      state.updatedAt = io.now()
      await store.save(state)
    }
    io.stdout.write(
      `Re-queued ${result.requeued.length} dead letter(s); the daemon delivers them on its next start.\n`,
    )
  })
}

export function register(program: Command, io: StateCommandIo = defaultIo): void {
  const state = program
    .command('state')
    .description('Inspect, repair, import and export the state (file or PostgreSQL)')
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
  fileOptions(
    state
      .command('import')
      .description('Replace the state by a JSON state file (validated first; refused while a daemon runs)')
      .requiredOption('--from <file>', 'the JSON state file (from `state export`, or a state file)'),
  ).action(async (opts) => importState(await resolveLocation(opts, io), opts.from, io))
  fileOptions(
    state
      .command('export')
      .description('Write the state as a JSON state file (the file store format), to stdout or --to')
      .option('--to <file>', 'write it to this file (mode 0600) instead of stdout'),
  ).action(async (opts) => exportState(await resolveLocation(opts, io), opts.to, io))
}
