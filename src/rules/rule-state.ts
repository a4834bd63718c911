import { z } from 'zod'

/**
 * Everything the evaluator remembers between events, keyed by rule id then group key (`JSON.stringify` of the
 * group values). Plain JSON so the state store can persist it as is. Times are epoch milliseconds of occurred_at.
 */
export const windowEntrySchema = z.object({
  event_id: z.string(),
  at: z.number(),
  /** Distinct-count windows: JSON text of the event's `distinct` value (absent when it is null or missing). */
  v: z.string().optional(),
})

export const absenceTimerSchema = z.object({
  event_id: z.string(),
  group: z.record(z.string(), z.unknown()),
  openedAt: z.number(),
  deadline: z.number(),
  /** The opening event, kept so the alert can be explained when the deadline passes. */
  event: z.record(z.string(), z.unknown()),
})

export const throttleSchema = z.object({ lastFireAt: z.number(), suppressed: z.number().int() })

export const incidentSchema = z.object({ firedAt: z.number(), event_id: z.string() })

/** A rate spike's group: the occurred_at of its counted events (ascending), and the cut of its last fire. */
export const spikeGroupSchema = z.object({
  times: z.array(z.number()),
  /** Events with occurred_at at or before this no longer count (set by a fire). */
  cut: z.number(),
})

/** A first-seen rule's learning: which `firstSeen` section its tuples were learned under, and since when. */
export const learningSchema = z.object({
  /** Hash of the rule's `firstSeen` section: a changed section forgets what was learned. */
  section: z.string(),
  /** occurred_at of the first qualifying event the rule processed (learnFor counts from it). */
  since: z.number(),
})

const byRuleAndGroup = <T extends z.ZodTypeAny>(value: T) => z.record(z.string(), z.record(z.string(), value))

export const ruleStateSchema = z.object({
  /** Latest occurred_at processed (replay clock). */
  clock: z.number().default(0),
  windows: byRuleAndGroup(z.array(windowEntrySchema)).default({}),
  timers: byRuleAndGroup(absenceTimerSchema).default({}),
  throttles: byRuleAndGroup(throttleSchema).default({}),
  incidents: byRuleAndGroup(incidentSchema).default({}),
  /**
   * First-seen rules: rule id -> tuple key (JSON of the field values) -> last-seen occurred_at. Optional (like
   * `learning` and `spikes`): absent in state files written before these rule kinds, created on first use.
   */
  firstSeen: byRuleAndGroup(z.number()).optional(),
  learning: z.record(z.string(), learningSchema).optional(),
  /** Rate-spike rules: rule id -> group key -> counted times and cut. */
  spikes: byRuleAndGroup(spikeGroupSchema).optional(),
  /**
   * Rule id -> fingerprint (CompiledRule.fingerprint) of the version of each enabled rule this state was last
   * brought in line with, so a rule changed while the daemon was down is detected at the next start. Absent in
   * state files written before it existed: a rule without a recorded fingerprint counts as unchanged.
   */
  fingerprints: z.record(z.string(), z.string()).optional(),
})

export type WindowEntry = z.infer<typeof windowEntrySchema>
export type AbsenceTimer = z.infer<typeof absenceTimerSchema>
export type ThrottleState = z.infer<typeof throttleSchema>
export type Incident = z.infer<typeof incidentSchema>
export type SpikeGroup = z.infer<typeof spikeGroupSchema>
export type Learning = z.infer<typeof learningSchema>
export type RuleState = z.infer<typeof ruleStateSchema>

export const emptyRuleState = (): RuleState => ({
  clock: 0,
  windows: {},
  timers: {},
  throttles: {},
  incidents: {},
  fingerprints: {},
})
