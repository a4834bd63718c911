import { createHmac } from 'node:crypto'
import { sendSignal } from './channels.js'
import { httpFailure, postJson } from './http-post.js'
import { type AlertMessage, DeliveryError, type DeliveryReceipt, type Notifier } from './notifier.js'
import { webhookBody } from './webhook-body.js'

/** `v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`: what X-Seam-Alerts-Signature carries (docs/webhook.md). */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`
}

/**
 * The signed webhook: the alert as a versioned JSON body (webhook-body.ts) POSTed to the action's `url`. With a
 * `secret`, every request carries X-Seam-Alerts-Timestamp and X-Seam-Alerts-Signature; `headers` are added as
 * given. URL, secret and headers are secrets: resolved at send time, never stored or logged.
 * 2xx counts as sent; 408, 429 and 5xx are retried (Retry-After honoured); redirects and other 4xx are permanent.
 */
export class WebhookNotifier implements Notifier {
  constructor(private readonly now: () => number = Date.now) {}

  async send(message: AlertMessage, signal: AbortSignal = sendSignal('webhook')): Promise<DeliveryReceipt> {
    const action = message.action
    if (action.type !== 'webhook' || !action.url)
      throw new DeliveryError('webhook: the action has no url', { retryable: false })
    const body = JSON.stringify(webhookBody(message))
    const headers: Record<string, string> = {
      ...action.headers,
      'X-Seam-Alerts-Id': message.id,
    }
    if (action.secret) {
      const timestamp = String(Math.floor(this.now() / 1000))
      headers['X-Seam-Alerts-Timestamp'] = timestamp
      headers['X-Seam-Alerts-Signature'] = webhookSignature(action.secret, timestamp, body)
    }
    const answer = await postJson('webhook', action.url, body, headers, signal)
    const failure = httpFailure('webhook', answer, this.now())
    if (failure) throw failure
    return { ref: message.id }
  }
}
