import { z } from 'zod'

/**
 * What the noise stage remembers between cycles (state.noise). Every entry is a record: replace it, never change
 * it (docs/ARCHITECTURE.md). All three maps stay small: open incidents of the rules that inhibit others, held fires
 * awaiting their resolve, and the alerts a silence or mute time holds back until its summary.
 */

const labelsSchema = z.record(z.string(), z.string())

/** An open incident (fired, not yet resolved; or within its throttle for a rule without resolve). */
export const openIncidentSchema = z.object({
  rule: z.string(),
  labels: labelsSchema,
  firedAt: z.number(),
  openUntil: z.number().optional(),
})

/** Why an alert was held back: one of these is set. */
export const holdSchema = z.object({
  outcome: z.enum(['silenced', 'muted', 'inhibited']),
  silenceId: z.string().optional(),
  muteTime: z.string().optional(),
  inhibitedBy: z.string().optional(),
  at: z.number(),
})

/** The alerts held back by one silence or mute time for one rule and target, until the summary is queued. */
export const heldBatchSchema = z.object({
  source: z.enum(['silence', 'mute']),
  /** The silence id or the time interval name. */
  id: z.string(),
  rule: z.string(),
  target: z.string(),
  /** Index of the rule action that sends to `target`. */
  actionIndex: z.number().int(),
  count: z.number().int(),
  /** At most MAX_ROLLUP, oldest first; `count` keeps counting past it. */
  eventIds: z.array(z.string()),
  firstAt: z.number(),
  lastAt: z.number(),
  /** silence: its comment and author (kept in case the silence is pruned before the summary). */
  comment: z.string().optional(),
  by: z.string().optional(),
  /** mute: when the interval ends (timeIntervalEnd), as far as known when held. */
  until: z.number().optional(),
})

/** An acknowledged incident (issue 13): who and when. Throttled repeats are held back until it resolves. */
export const ackSchema = z.object({
  rule: z.string(),
  /** The Slack user id (`U…`) who clicked Acknowledge. */
  by: z.string(),
  at: z.number(),
})

export const noiseStateSchema = z.object({
  /** incidentKey -> open incident, for inhibition and GET /api/v1/incidents. */
  open: z.record(z.string(), openIncidentSchema).default({}),
  /** incidentKey -> why its fire was held: the resolve is held the same way. */
  heldFires: z.record(z.string(), holdSchema).default({}),
  /** heldBatchKey -> held alerts awaiting the end-of-silence / end-of-mute summary. */
  held: z.record(z.string(), heldBatchSchema).default({}),
  /** incidentKey -> its acknowledgement; removed when the incident resolves or is no longer open. */
  acks: z.record(z.string(), ackSchema).optional(),
})

export type OpenIncidentRecord = z.infer<typeof openIncidentSchema>
export type Hold = z.infer<typeof holdSchema>
export type HeldBatch = z.infer<typeof heldBatchSchema>
export type Ack = z.infer<typeof ackSchema>
export type NoiseState = z.infer<typeof noiseStateSchema>

export const heldBatchKey = (b: Pick<HeldBatch, 'source' | 'id' | 'rule' | 'target'>): string =>
  JSON.stringify([b.source, b.id, b.rule, b.target])
