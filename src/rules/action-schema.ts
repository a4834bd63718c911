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

export const actionSchema = z.discriminatedUnion('type', [
  slackActionSchema,
  emailActionSchema,
  consoleActionSchema,
])

export type SlackAction = z.infer<typeof slackActionSchema>
export type EmailAction = z.infer<typeof emailActionSchema>
export type ConsoleAction = z.infer<typeof consoleActionSchema>
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
