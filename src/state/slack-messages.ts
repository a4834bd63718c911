import { z } from 'zod'

/**
 * Slack messages with buttons (slack.appToken) and the follow-ups the outbox carries for them. Kept in the state so
 * a click, an edit or a resolve after a restart finds what it needs; no secret is ever in here (channel ids, ts,
 * Slack user ids, decisions already in the outbox).
 */

/** Where a message stands now, rendered as status lines under its content (and fewer buttons). */
export const messageStatusSchema = z.object({
  acknowledged: z.object({ by: z.string(), at: z.number() }).optional(),
  silenced: z.object({ by: z.string(), until: z.number(), silenceId: z.string() }).optional(),
  /** Resolved: when, and how long the incident lasted (ms). For a rollup, the incidents resolved so far. */
  resolved: z.object({ at: z.number(), lastedMs: z.number().optional() }).optional(),
  /** Rollup: incident keys resolved so far (the message lists several incidents). */
  resolvedIncidents: z.array(z.string()).optional(),
})
export type MessageStatus = z.infer<typeof messageStatusSchema>

/** What a rollup message lists, per incident: enough to render its line again. */
export const rollupLineSchema = z.object({
  rule: z.string(),
  kind: z.enum(['fire', 'resolve']),
  group: z.record(z.string(), z.unknown()),
  event_id: z.string(),
  at: z.string(),
  deviceId: z.string().optional(),
})
export type RollupLineRecord = z.infer<typeof rollupLineSchema>

/**
 * One Slack message this daemon posted with buttons, keyed by `slackMessageKey(channel, ts)`. A click is acted on
 * only when its channel and message ts are found here (issue 13, Security).
 */
export const slackMessageSchema = z.object({
  channel: z.string(),
  ts: z.string(),
  /** The outbox target it was sent to (`slack:#alerts`), and its action reference, for edits. */
  target: z.string(),
  actionRef: z.string(),
  rule: z.string(),
  /** The incidents the message is about (incidentKey): one, or every one a rollup lists. */
  incidents: z.array(z.string()),
  /** Per incident, the labels the silence matchers are made from (rule and group labels only). */
  groups: z.record(z.string(), z.record(z.string(), z.unknown())),
  sentAt: z.number(),
  /** The outbox item id of the alert (a rollup: of its first item). */
  item: z.string(),
  /** The alert's decision and action as queued (bounded event, no secret fields): edits re-render from them. */
  decision: z.record(z.string(), z.unknown()),
  action: z.record(z.string(), z.unknown()),
  rollup: z.array(rollupLineSchema).optional(),
  status: messageStatusSchema.default({}),
  /** Envelope ids already handled (a redelivered envelope changes nothing), newest last, bounded. */
  envelopes: z.array(z.string()).default([]),
  /** How many edits were queued, for the edit items' ids. */
  edits: z.number().int().default(0),
})
export type SlackMessageRecord = z.infer<typeof slackMessageSchema>

export const slackMessageKey = (channel: string, ts: string): string => `${channel}|${ts}`

/**
 * An outbox item that is not an alert but follows one up:
 * - `slack-edit`: `chat.update` of the message `channel`/`ts`, re-rendered from the item's decision (and `rollup`)
 *   with `status` (acknowledged, silenced, resolved). A newer edit of the same message replaces a queued older one
 *   (each carries the whole status), so edits apply in order and none is lost.
 * - `acknowledge`: the incident's acknowledgement forwarded to PagerDuty (Events API `acknowledge`, same
 *   dedup_key as the trigger).
 * Either way it goes through the delivery worker: retried with backoff, dead-lettered when it keeps failing.
 */
export const followUpSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('slack-edit'),
    channel: z.string(),
    ts: z.string(),
    status: messageStatusSchema,
    rollup: z.array(rollupLineSchema).optional(),
  }),
  z.object({ type: z.literal('acknowledge'), by: z.string(), at: z.number() }),
])
export type FollowUp = z.infer<typeof followUpSchema>
