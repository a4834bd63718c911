import { createHash } from 'node:crypto'
import { parseRetryAfter } from '../retry-after.js'
import { type Decision, incidentKey } from '../rules/decision.js'
import { sendSignal } from './channels.js'
import { oneLine, plainSafe } from './escape.js'
import { excerpt, type HttpAnswer, postJson } from './http-post.js'
import { buildAlertContent } from './message.js'
import { type AlertMessage, DeliveryError, type DeliveryReceipt, type Notifier } from './notifier.js'

export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info'
export type PagerDutyEventAction = 'trigger' | 'acknowledge' | 'resolve'

/** PagerDuty limits: summary 1024 characters, dedup_key 255. */
const MAX_SUMMARY = 1024
const MAX_DEDUP_KEY = 255
/** PagerDuty events of one rollup in flight at once. */
const ROLLUP_CONCURRENCY = 4

/**
 * The incident's dedup_key: the rule id and the group, the same for a fire and its resolve and across restarts
 * (no process state in it). A key longer than PagerDuty's 255 characters is hashed.
 */
export function dedupKey(rule: string, group: Decision['group']): string {
  const key = `seam-alerts:${incidentKey(rule, group ?? {})}`
  if (key.length <= MAX_DEDUP_KEY) return key
  return `seam-alerts:sha256:${createHash('sha256').update(key).digest('hex')}`
}

/** The rule's severity in PagerDuty's terms (info, warning, critical map to themselves). */
export function pagerDutySeverity(ruleSeverity: string | undefined): PagerDutySeverity {
  return ruleSeverity === 'critical' || ruleSeverity === 'info' ? ruleSeverity : 'warning'
}

/**
 * The Events API event that acknowledges the incident of `rule` and `group` (from Slack's Acknowledge button: an
 * outbox follow-up, sent by `send` when the message carries `acknowledge`).
 */
export function acknowledgeEvent(routingKey: string, rule: string, group: Decision['group']) {
  return { routing_key: routingKey, event_action: 'acknowledge' as const, dedup_key: dedupKey(rule, group) }
}

const text = (value: string) => plainSafe(oneLine(value)).trim()

/** The Events API v2 body for one alert: a fire is a `trigger` with its payload, a resolve a `resolve`. */
export function pagerDutyEvent(message: AlertMessage, routingKey: string): Record<string, unknown> {
  const d = message.decision
  const key = dedupKey(d.rule, d.group)
  if (d.kind === 'resolve') return { routing_key: routingKey, event_action: 'resolve', dedup_key: key }
  const content = buildAlertContent({ ...message, rollup: undefined })
  const action = message.action.type === 'pagerduty' ? message.action : undefined
  const summary = `${text(content.title(text))} (rule ${content.ruleId})`
  const group = Object.fromEntries(content.group)
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: key,
    client: 'seam-alerts',
    payload: {
      summary: summary.length > MAX_SUMMARY ? `${summary.slice(0, MAX_SUMMARY - 1)}…` : summary,
      source: text(content.deviceName ?? content.deviceId ?? content.ruleId) || content.ruleId,
      severity: action?.severity ?? pagerDutySeverity(message.rule.severity),
      timestamp: d.at,
      component: content.eventType || undefined,
      custom_details: {
        event_id: d.event_id,
        event_type: content.eventType,
        group,
        ...(content.deviceId ? { device_id: content.deviceId } : {}),
        ...(content.count > 1 ? { count: content.count } : {}),
        ...(content.suppressed > 0 ? { suppressed: content.suppressed } : {}),
        ...(content.body(text) ? { text: content.body(text) } : {}),
      },
    },
  }
}

/** What PagerDuty's answer means: 202 (any 2xx) sent; 429 and 5xx retried; 400 and the rest permanent. */
export function pagerDutyFailure(answer: HttpAnswer, now: number): DeliveryError | undefined {
  const { status } = answer
  if (status >= 200 && status < 300) return undefined
  if (status >= 300 && status < 400)
    return new DeliveryError(`pagerduty: HTTP ${status} redirect (redirects are not followed)`, {
      retryable: false,
    })
  return new DeliveryError(`pagerduty: HTTP ${status} ${errorText(answer.text)}`.trim(), {
    retryable: status === 429 || status >= 500,
    retryAfterMs: parseRetryAfter(answer.headers.get('retry-after'), now),
  })
}

/** PagerDuty's error answer `{"status", "message", "errors": [...]}` as one line. */
function errorText(body: string): string {
  try {
    const parsed = JSON.parse(body) as { status?: unknown; message?: unknown; errors?: unknown }
    const parts = [parsed.status, parsed.message].filter((part) => typeof part === 'string')
    const errors = Array.isArray(parsed.errors) ? parsed.errors.filter((e) => typeof e === 'string') : []
    const main = parts.join(': ')
    if (main || errors.length > 0)
      return excerpt(`${main}${errors.length > 0 ? ` (${errors.join('; ')})` : ''}`, 500)
  } catch {
    // not JSON: the text itself
  }
  return excerpt(body)
}

/**
 * PagerDuty Events API v2 (`pagerduty.apiUrl`). The routing key is the action's (a secret, resolved at send
 * time). A rollup sends one event per incident, so every incident keeps its own dedup_key and resolve; PagerDuty
 * de-duplicates a trigger sent again after a retry.
 */
export class PagerDutyNotifier implements Notifier {
  constructor(
    private readonly apiUrl: string,
    private readonly now: () => number = Date.now,
  ) {}

  async send(message: AlertMessage, signal: AbortSignal = sendSignal('pagerduty')): Promise<DeliveryReceipt> {
    const action = message.action
    if (action.type !== 'pagerduty' || !action.routingKey)
      throw new DeliveryError('pagerduty: the action has no routingKey', { retryable: false })
    if (message.acknowledge) {
      const d = message.decision
      await this.post(acknowledgeEvent(action.routingKey, d.rule, d.group), signal)
      return { ref: dedupKey(d.rule, d.group) }
    }
    const decisions = message.rollup && message.rollup.length > 0 ? message.rollup : [message.decision]
    const queue = [...decisions]
    const worker = async () => {
      for (let d = queue.shift(); d; d = queue.shift()) {
        const single: AlertMessage = { ...message, decision: d, rollup: undefined }
        if (message.rollup) single.deviceName = undefined
        await this.post(pagerDutyEvent(single, action.routingKey), signal)
      }
    }
    await Promise.all(Array.from({ length: Math.min(ROLLUP_CONCURRENCY, decisions.length) }, worker))
    return { ref: dedupKey(message.decision.rule, message.decision.group) }
  }

  private async post(event: Record<string, unknown>, signal: AbortSignal): Promise<void> {
    const answer = await postJson('pagerduty', this.apiUrl, JSON.stringify(event), {}, signal)
    const failure = pagerDutyFailure(answer, this.now())
    if (failure) throw failure
  }
}
