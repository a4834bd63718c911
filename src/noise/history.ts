import { z } from 'zod'

/**
 * The alert history: one entry per alert outcome (issue 12), appended in the same state update as the outbox
 * change it describes, so it survives restarts exactly as the outbox does. Bounded by `retention.history`.
 * Never holds a secret: labels, ids and outcome details only (the state screen checks every write).
 */
export const HISTORY_OUTCOMES = [
  'sent',
  'silenced',
  'muted',
  'inhibited',
  'rolled-up',
  'dead-lettered',
  'acknowledged',
] as const
export type HistoryOutcome = (typeof HISTORY_OUTCOMES)[number]

export const historyEntrySchema = z.object({
  /** Epoch ms of the outcome. */
  at: z.number(),
  rule: z.string(),
  kind: z.enum(['fire', 'resolve']),
  event_id: z.string(),
  labels: z.record(z.string(), z.string()),
  outcome: z.enum(HISTORY_OUTCOMES),
  /** The delivery target (`slack:#alerts`, `email:ops@…`), when the outcome concerns one. */
  target: z.string().optional(),
  /** Outbox item id, when the outcome concerns one. */
  item: z.string().optional(),
  /** sent: the channel's message reference (Slack ts, email Message-ID). */
  ref: z.string().optional(),
  /** silenced: the silence id. */
  silenceId: z.string().optional(),
  /** muted: the time interval name. */
  muteTime: z.string().optional(),
  /** inhibited: the inhibiting incident (`rule` + group key). */
  inhibitedBy: z.string().optional(),
  /** dead-lettered: why (scrubbed of secrets, capped). */
  reason: z.string().optional(),
  /** acknowledged / silenced from Slack: who. */
  by: z.string().optional(),
})

export type HistoryEntry = z.infer<typeof historyEntrySchema>
