import path from 'node:path'
import { SeamAlertsError } from '../../errors.js'
import { JsonFileStore } from '../../state/json-file-store.js'
import { readStateFile } from '../../state/state-file.js'
import { readLocation, type StateLocation, withExclusiveStore } from './location.js'

interface TransferIo {
  stdout: { write(text: string): unknown }
  cwd: () => string
}

/**
 * `state import --from <file>`: validate a JSON state file (the same checks and migrations as loading it; a
 * damaged one is refused, STATE_CORRUPT) and write it as the state: the whole document is replaced. Refused
 * (STATE_LOCKED) while a daemon runs on the state: a live leader in PostgreSQL, the lock of a state file.
 */
export async function importState(location: StateLocation, from: string, io: TransferIo): Promise<void> {
  const source = path.resolve(io.cwd(), from)
  const hint = `Fix ${source} or export a good state again; nothing was written.`
  const state = await readStateFile(source, undefined, hint, location.maxBytes)
  if (!state) throw new SeamAlertsError('USAGE', `--from: no state file at ${source}.`)
  if (location.kind === 'file' && location.file === source)
    throw new SeamAlertsError('USAGE', `--from: ${source} is the state file itself: nothing to import.`)
  const hintLocked =
    'Stop every seam-alerts replica using this state (or wait until the leader lease expires) and import again.'
  await withExclusiveStore(location, hintLocked, async (store) => {
    const replaced = await store.load().catch(() => null)
    await store.save(state)
    const before = replaced
      ? ` It replaced a state with cursor ${replaced.source.cursor ?? 'none'}.`
      : ' There was no state before.'
    io.stdout.write(
      `Imported ${source} into ${location.label} (cursor ${state.source.cursor ?? 'none'}, ${state.outbox.length} queued, ${state.deadLetters.length} dead letters).${before}\n`,
    )
  })
}

/**
 * `state export [--to <file>]`: the saved state in the JSON state file format (loadable by the file store and by
 * `state import`), to stdout or written durably to a file (mode 0600; refused while a daemon holds that file).
 * A running leader keeps writing: the export is the last state it saved.
 */
export async function exportState(
  location: StateLocation,
  to: string | undefined,
  io: TransferIo,
): Promise<void> {
  const state = await readLocation(location)
  if (!state) throw new SeamAlertsError('USAGE', `No state in ${location.label} yet: nothing to export.`)
  if (to === undefined) {
    io.stdout.write(`${JSON.stringify(state, null, 2)}\n`)
    return
  }
  const file = path.resolve(io.cwd(), to)
  if (location.kind === 'file' && location.file === file)
    throw new SeamAlertsError('USAGE', `--to: ${file} is the state file itself.`)
  const store = await JsonFileStore.open(file, {
    lockedHint: `A seam-alerts daemon uses ${file} as its state: export somewhere else.`,
  })
  try {
    await store.save(state)
  } finally {
    await store.close()
  }
  io.stdout.write(`Exported ${location.label} to ${file} (cursor ${state.source.cursor ?? 'none'}).\n`)
}
