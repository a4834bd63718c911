import { emptyState, type State } from '../../state/state-schema.js'
import { readLocation, withExclusiveStore } from '../state/location.js'
import type { NoiseCliSettings } from './settings.js'

/**
 * The state as last saved (no lock: the file is replaced atomically, the database row in one transaction), or a
 * fresh one when there is none yet.
 */
export async function readSavedState(settings: NoiseCliSettings): Promise<State> {
  return (await readLocation(settings.state)) ?? emptyState()
}

/**
 * Change the state while no daemon runs on it: take the state lock, or in PostgreSQL check in the write's
 * transaction that no leader holds a live lease (STATE_LOCKED if a daemon started meanwhile, or if another process
 * wrote since the load), load, change, save durably, release. The daemon applies the change on its next start.
 */
export async function updateStateFile<T>(
  settings: NoiseCliSettings,
  now: number,
  change: (state: State) => T,
): Promise<T> {
  const hint =
    "The daemon started meanwhile: run the command again, and it goes through the daemon's local API."
  return withExclusiveStore(settings.state, hint, async (store) => {
    const state = (await store.load()) ?? emptyState()
    const result = change(state)
    state.updatedAt = now
    await store.save(state)
    return result
  })
}
