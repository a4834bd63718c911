import type { State } from '../state/state-schema.js'
import { pruneAcks } from './acknowledgements.js'
import { pruneIncidents } from './incidents.js'
import { silenceRetained } from './silence.js'

/**
 * Bound what the noise stage keeps (housekeeping, inside an update): expired silences `retention.silences` after
 * their end (never one a pending summary still names), open incidents whose open period ended over
 * `retention.history` ago, and held fires whose resolve never came within `retention.history`.
 */
export function pruneNoise(
  draft: State,
  now: number,
  retention: { history: number; silences: number },
): void {
  const pending = new Set(Object.values(draft.noise.held).map((batch) => batch.id))
  draft.silences = draft.silences.filter(
    (silence) => pending.has(silence.id) || silenceRetained(silence, now, retention.silences),
  )
  const cutoff = now - retention.history
  pruneIncidents(draft, cutoff)
  pruneAcks(draft, now)
  for (const [key, hold] of Object.entries(draft.noise.heldFires)) {
    if (hold.at < cutoff) delete draft.noise.heldFires[key]
  }
}
