import { z } from 'zod'
import { alertLabels } from '../noise/labels.js'
import type { Decision } from '../rules/decision.js'
import { buildAlertContent } from './message.js'
import type { AlertMessage } from './notifier.js'
import { renderText } from './render-text.js'

/**
 * The signed webhook's body, version "1": a documented contract (docs/webhook.md, and its JSON Schema
 * docs/webhook-body.schema.json generated from these zod schemas by `npm run schema`). Fields may be added within
 * a version (receivers must ignore unknown ones, so the schema allows them); none is renamed or removed.
 */
const alertFields = {
  rule: z.string().describe('The rule id.'),
  kind: z
    .enum(['fire', 'resolve'])
    .describe('"fire" when the rule fired, "resolve" when the incident ended.'),
  severity: z.enum(['info', 'warning', 'critical']).describe("The rule's severity."),
  title: z.string().describe('The alert title (the action\'s "title" template, or the default title).'),
  text: z
    .string()
    .describe('The action\'s "text" template, or a plain-text rendering of the alert (as in email).'),
  group: z.record(z.string(), z.unknown()).describe('The rule\'s groupBy values, e.g. {"device_id": "..."}.'),
  labels: z
    .record(z.string(), z.string())
    .describe('Flat string labels of the alert (docs/labels.md), as silences and inhibition match them.'),
  event_id: z
    .string()
    .describe('The event that decided: the firing event for a fire, the resolving event for a resolve.'),
  event: z.record(z.string(), z.unknown()).describe('That event, as the Seam API returned it.'),
  at: z.string().describe("ISO 8601 time of the decision (the deciding event's occurred_at)."),
  count: z.number().int().describe('Events in the window (1 for rules without a window).'),
  suppressed: z.number().int().describe('Fires suppressed by the throttle since the last fire.'),
  eventIds: z
    .array(z.string())
    .describe('Every event of the window, oldest first ([event_id] for rules without a window).'),
}

export const webhookAlertSchema = z.object({
  version: z.literal('1').describe('Body format version.'),
  ...alertFields,
})

export const webhookRollupSchema = z.object({
  version: z.literal('1').describe('Body format version.'),
  rule: alertFields.rule,
  kind: alertFields.kind,
  severity: alertFields.severity,
  title: z.string().describe('"<rule description>: N alerts rolled up".'),
  text: alertFields.text,
  alerts: z
    .array(z.object(alertFields))
    .min(1)
    .describe('A storm rolled up into one request: one entry per alert, each as a single alert body.'),
})

export const webhookBodySchema = z
  .union([webhookAlertSchema, webhookRollupSchema])
  .describe(
    'seam-alerts webhook body, version 1: one alert, or a rollup of many (with "alerts"). See docs/webhook.md.',
  )

export type WebhookAlertBody = z.infer<typeof webhookAlertSchema>
export type WebhookRollupBody = z.infer<typeof webhookRollupSchema>
export type WebhookBody = z.infer<typeof webhookBodySchema>

type Severity = WebhookAlertBody['severity']
const severityOf = (value: string | undefined): Severity =>
  value === 'info' || value === 'critical' ? value : 'warning'

const raw = (text: string) => text

function alertEntry(message: AlertMessage, decision: Decision): z.infer<z.ZodObject<typeof alertFields>> {
  const one: AlertMessage = { ...message, decision, rollup: undefined }
  const content = buildAlertContent(one)
  const severity = severityOf(message.rule.severity)
  return {
    rule: decision.rule,
    kind: decision.kind,
    severity,
    title: content.title(raw),
    text: content.body(raw) ?? renderText(content),
    group: decision.group ?? {},
    labels: { ...alertLabels(decision, { severity, deviceName: message.deviceName }) },
    event_id: decision.event_id,
    event: (decision.event ?? {}) as Record<string, unknown>,
    at: decision.at,
    count: decision.count,
    suppressed: decision.suppressed,
    eventIds: decision.eventIds ?? [decision.event_id],
  }
}

/**
 * The body for one alert or rollup. Values are the raw strings (JSON encoding is their only escaping): a receiver
 * that renders them into HTML, Markdown or a chat message escapes them for that target.
 */
export function webhookBody(message: AlertMessage): WebhookBody {
  if (message.rollup && message.rollup.length > 0) {
    const content = buildAlertContent(message)
    return {
      version: '1',
      rule: message.rule.id,
      kind: message.decision.kind,
      severity: severityOf(message.rule.severity),
      title: content.title(raw),
      text: renderText(content),
      alerts: message.rollup.map((decision) => alertEntry(message, decision)),
    }
  }
  return { version: '1', ...alertEntry(message, message.decision) }
}

/** docs/webhook-body.schema.json: the body's JSON Schema (draft 2020-12), written by `npm run schema`. */
export function webhookBodyJsonSchemaText(): string {
  const schema = z.toJSONSchema(webhookBodySchema, { target: 'draft-2020-12', io: 'input' }) as Record<
    string,
    unknown
  >
  const out = {
    $schema: schema.$schema,
    title: 'seam-alerts webhook body, version 1',
    ...schema,
  }
  return `${JSON.stringify(out, null, 2)}\n`
}
