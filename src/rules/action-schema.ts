import { z } from 'zod'

/** Optional per-action templates: `{{field}}` placeholders over the event, rule, group, counts and device. */
const templates = {
  title: z
    .string()
    .optional()
    .describe('Template for the alert title, e.g. "{{device.name}}: battery {{event.battery_level}}"'),
  text: z.string().optional().describe('Template for the alert body.'),
}

export const slackActionSchema = z
  .strictObject({
    type: z.literal('slack'),
    channel: z
      .string()
      .min(1)
      .optional()
      .describe('Channel name or id for chat.postMessage, e.g. "#security".'),
    webhookUrl: z
      .url()
      .optional()
      .describe('Incoming-webhook URL, for teams without a bot token. May be "${ENV_VAR}".'),
    ...templates,
  })
  .refine((action) => Boolean(action.channel) !== Boolean(action.webhookUrl), {
    message: 'a slack action needs exactly one of "channel" (bot token) or "webhookUrl" (incoming webhook)',
  })

export const emailActionSchema = z.strictObject({
  type: z.literal('email'),
  to: z.array(z.email()).min(1).describe('Recipients.'),
  cc: z.array(z.email()).optional(),
  ...templates,
})

export const consoleActionSchema = z.strictObject({
  type: z.literal('console'),
  ...templates,
})

const HTTP_URL = 'expected an http:// or https:// URL'

export const pagerdutyActionSchema = z.strictObject({
  type: z.literal('pagerduty'),
  routingKey: z
    .string({
      error: (issue) =>
        issue.input === undefined ? 'required: the integration key, e.g. "${PD_ROUTING_KEY}"' : undefined,
    })
    .min(1)
    .describe('PagerDuty Events API v2 integration (routing) key, e.g. "${PD_ROUTING_KEY}". A secret.'),
  severity: z
    .enum(['critical', 'error', 'warning', 'info'])
    .optional()
    .describe("PagerDuty severity; default: mapped from the rule's severity."),
  ...templates,
})

export const webhookActionSchema = z.strictObject({
  type: z.literal('webhook'),
  url: z
    .url({ protocol: /^https?$/, error: HTTP_URL })
    .describe('Where the JSON alert is POSTed, e.g. "${ALERT_WEBHOOK_URL}". A secret.'),
  secret: z
    .string()
    .min(1)
    .optional()
    .describe(
      'HMAC-SHA256 key: signs each request (X-Seam-Alerts-Timestamp, X-Seam-Alerts-Signature). A secret.',
    ),
  headers: z
    .record(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'expected an HTTP header name'), z.string())
    .optional()
    .describe('Extra request headers, e.g. {"Authorization": "Bearer ${TOKEN}"}. Their values are secrets.'),
  ...templates,
})

export const teamsActionSchema = z.strictObject({
  type: z.literal('teams'),
  webhookUrl: z
    .url({ protocol: /^https?$/, error: HTTP_URL })
    .describe(
      'Microsoft Teams Workflows "When a Teams webhook request is received" URL, e.g. "${TEAMS_WEBHOOK_URL}". A secret.',
    ),
  ...templates,
})

export const actionSchema = z.discriminatedUnion('type', [
  slackActionSchema,
  emailActionSchema,
  consoleActionSchema,
  pagerdutyActionSchema,
  webhookActionSchema,
  teamsActionSchema,
])

export type SlackAction = z.infer<typeof slackActionSchema>
export type EmailAction = z.infer<typeof emailActionSchema>
export type ConsoleAction = z.infer<typeof consoleActionSchema>
export type PagerDutyAction = z.infer<typeof pagerdutyActionSchema>
export type WebhookAction = z.infer<typeof webhookActionSchema>
export type TeamsAction = z.infer<typeof teamsActionSchema>
export type Action = z.infer<typeof actionSchema>

/** A stable key for one delivery target: the unit of pacing, retries and head-of-line isolation. */
export function actionTarget(action: Action): string {
  switch (action.type) {
    case 'slack':
      return action.channel ? `slack:${action.channel}` : `slack-webhook:${hashish(action.webhookUrl ?? '')}`
    case 'email':
      return `email:${[...action.to].sort().join(',')}`
    case 'console':
      return 'console'
    case 'pagerduty':
      return `pagerduty:${hashish(action.routingKey)}`
    case 'webhook':
      return `webhook:${hashish(action.url)}`
    case 'teams':
      return `teams:${hashish(action.webhookUrl)}`
  }
}

/** Short non-reversible tag so a webhook URL (a secret) never appears in state or logs. */
function hashish(text: string): string {
  let h = 2166136261
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 16777619)
  }
  return (h >>> 0).toString(16)
}
