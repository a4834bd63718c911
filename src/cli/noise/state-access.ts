import { JsonFileStore } from '../../state/json-file-store.js'
import { readStateFile } from '../../state/state-file.js'
import { emptyState, type State } from '../../state/state-schema.js'
import type { NoiseCliSettings } from './settings.js'

/** The state as last saved (no lock: the file is replaced atomically), or a fresh one when there is none yet. */
export async function readSavedState(settings: NoiseCliSettings): Promise<State> {
  return (await readStateFile(settings.stateFile, undefined, undefined, settings.maxBytes)) ?? emptyState()
}

/**
 * Change the state file while the daemon is stopped: take the state lock (STATE_LOCKED if a daemon started
 * meanwhile), load, change, save durably, release. The daemon applies the change on its next start.
 */
export async function updateStateFile<T>(
  settings: NoiseCliSettings,
  now: number,
  change: (state: State) => T,
): Promise<T> {
  const store = await JsonFileStore.open(settings.stateFile, {
    maxBytes: settings.maxBytes,
    lockedHint:
      "The daemon started meanwhile: run the command again, and it goes through the daemon's local API.",
  })
  try {
    const state = (await store.load()) ?? emptyState()
    const result = change(state)
    state.updatedAt = now
    await store.save(state)
    return result
  } finally {
    await store.close()
  }
}
