import { z } from 'zod'
import { historyEntrySchema } from '../noise/history.js'
import { noiseStateSchema } from '../noise/noise-state.js'
import { storedSilenceSchema } from '../noise/silence-ops.js'
import { ruleStateSchema } from '../rules/rule-state.js'
import { skippedEventSchema } from './skipped-events.js'
import { followUpSchema, slackMessageSchema } from './slack-messages.js'

/**
 * The state file, version 1. Never holds a secret: outbox items keep the action without its secret fields (the
 * ones src/secrets/definition.ts names), which are looked up again from the rule or config at send time through
 * `actionRef`.
 */
export const STATE_VERSION = 1

const decisionSchema = z
  .object({
    rule: z.string(),
    kind: z.enum(['fire', 'resolve']),
    group: z.record(z.string(), z.unknown()),
    event_id: z.string(),
    at: z.string(),
    count: z.number(),
    suppressed: z.number(),
    event: z.record(z.string(), z.unknown()),
    eventIds: z.array(z.string()).optional(),
    firedAt: z.string().optional(),
    firedEventId: z.string().optional(),
  })
  .passthrough()

/** The action as stored: any secret field stripped. */
const storedActionSchema = z.record(z.string(), z.unknown())

export const outboxItemSchema = z.object({
  /** Stable id: `${rule}:${kind}:${event_id}:${actionIndex}` so a re-decided alert is not queued twice. */
  id: z.string(),
  decision: decisionSchema,
  action: storedActionSchema,
  /** Where the action came from, to re-resolve secret fields: `rule:<id>#<index>` or `monitor#<index>`. */
  actionRef: z.string(),
  /** actionTarget(action): the unit of pacing and isolation. */
  target: z.string(),
  createdAt: z.number(),
  attempts: z.number().int().default(0),
  nextAttemptAt: z.number().default(0),
  lastError: z.string().optional(),
  /** Set while a digest/rollup holds the item back. */
  heldUntil: z.number().optional(),
  /** The alert's labels (src/noise/labels.ts), for the history entry of its outcome. */
  labels: z.record(z.string(), z.string()).optional(),
  /** Not an alert: a Slack message edit or a PagerDuty acknowledgement (src/state/slack-messages.ts). */
  followUp: followUpSchema.optional(),
})

export const deadLetterSchema = outboxItemSchema.extend({ deadAt: z.number(), reason: z.string() })

export const sentRecordSchema = z.object({
  id: z.string(),
  target: z.string(),
  sentAt: z.number(),
  /** Channel reference: Slack `ts`, email Message-ID. */
  ref: z.string().optional(),
})

/** Per incident (incidentKey): where its alert was posted, so the resolve can thread under it. */
export const threadSchema = z.object({
  slack: z.record(z.string(), z.object({ channel: z.string(), ts: z.string() })).default({}),
  email: z.record(z.string(), z.string()).default({}),
  firedAt: z.number().optional(),
})

export const deviceNameSchema = z.object({ name: z.string(), fetchedAt: z.number() })

export const digestEntrySchema = z.object({
  group: z.record(z.string(), z.unknown()),
  count: z.number().int(),
  firstAt: z.string(),
  lastAt: z.string(),
  eventIds: z.array(z.string()),
})

export const stateSchema = z.object({
  version: z.literal(STATE_VERSION),
  source: z
    .object({
      cursor: z.string().nullable(),
      seen: z.record(z.string(), z.number()),
      /** ISO: never read events created before this (SourceCheckpoint.floor; set by `state reset --from`). */
      floor: z.string().nullable().optional(),
    })
    .default({ cursor: null, seen: {} }),
  rules: ruleStateSchema.prefault({}),
  outbox: z.array(outboxItemSchema).default([]),
  deadLetters: z.array(deadLetterSchema).default([]),
  sent: z.array(sentRecordSchema).default([]),
  threads: z.record(z.string(), threadSchema).default({}),
  devices: z.record(z.string(), deviceNameSchema).default({}),
  /** Digest rules: rule id -> group key -> collected fires, sent and cleared on the rule's cron. */
  digests: z.record(z.string(), z.record(z.string(), digestEntrySchema)).default({}),
  /** Self-monitoring: open meta-incidents (`seam-down`, `lag`) with when they began. */
  monitor: z.record(z.string(), z.object({ since: z.number(), alerted: z.boolean() })).default({}),
  /** Silences (issue 12), active, pending and recently expired, with how many alerts each held back. */
  silences: z.array(storedSilenceSchema).default([]),
  /** Alert history: one entry per outcome, oldest first, bounded by retention.history / historyMax. */
  history: z.array(historyEntrySchema).default([]),
  /** The most recent events read but not processed (rejected or failed), bounded: see skipped-events.ts. */
  skippedEvents: z.array(skippedEventSchema).optional(),
  /** The noise stage's memory: open incidents, held fires, alerts held for a summary (src/noise/noise-state.ts). */
  noise: noiseStateSchema.prefault({}),
  /** Slack messages posted with buttons (slack.appToken), by `channel|ts`: clicks are looked up here. */
  slackMessages: z.record(z.string(), slackMessageSchema).optional(),
  updatedAt: z.number().default(0),
})

export type OutboxItem = z.infer<typeof outboxItemSchema>
export type DeadLetter = z.infer<typeof deadLetterSchema>
export type SentRecord = z.infer<typeof sentRecordSchema>
export type ThreadRecord = z.infer<typeof threadSchema>
export type DigestEntry = z.infer<typeof digestEntrySchema>
export type State = z.infer<typeof stateSchema>

export const emptyState = (): State => stateSchema.parse({ version: STATE_VERSION })
