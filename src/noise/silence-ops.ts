import { z } from 'zod'
import type { State } from '../state/state-schema.js'
import { expireSilence, type Silence, type SilenceStatus, silenceSchema, silenceStatus } from './silence.js'

/** A silence as the state keeps it: the silence, and how many alerts it has held back so far. */
export const storedSilenceSchema = silenceSchema.extend({
  suppressed: z.number().int().min(0).default(0),
})
export type StoredSilence = z.infer<typeof storedSilenceSchema>

/** What `silence list --json` and `GET /api/v1/silences` show for each silence. */
export type SilenceView = Silence & { status: SilenceStatus; suppressed: number }

/** Add a new silence to a draft (CLI under the lock, or the daemon's API). */
export function addSilence(draft: State, silence: Silence): StoredSilence {
  const stored: StoredSilence = { ...silence, suppressed: 0 }
  draft.silences.push(stored)
  return stored
}

/** Expire a silence by id in a draft; undefined when there is none. Expiring an expired one changes nothing. */
export function expireSilenceById(draft: State, id: string, now: number): StoredSilence | undefined {
  const index = draft.silences.findIndex((silence) => silence.id === id)
  if (index < 0) return undefined
  const current = draft.silences[index]!
  const next = { ...current, ...expireSilence(current, now) }
  if (next.endsAt !== current.endsAt) draft.silences[index] = next
  return draft.silences[index]
}

/** The silences with status and count, oldest start first; expired ones only when asked for. */
export function listSilences(state: State, now: number, opts: { expired?: boolean } = {}): SilenceView[] {
  const views = state.silences.map((silence) => {
    const { suppressed, ...rest } = silence
    return { ...rest, status: silenceStatus(silence, now), suppressed }
  })
  return views
    .filter((view) => opts.expired || view.status !== 'expired')
    .sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt) || (a.id < b.id ? -1 : 1))
}
