import { errorText } from '../error-text.js'
import { SeamAlertsError } from '../errors.js'
import type { Action } from '../rules/action-schema.js'
import type { Decision } from '../rules/decision.js'
import type { MessageStatus } from '../state/slack-messages.js'

/** Everything a channel needs to render and thread one alert. */
export interface AlertMessage {
  /** Outbox item id; stable across retries. */
  id: string
  decision: Decision
  action: Action
  /** Rule metadata for the header. */
  rule: { id: string; description?: string; severity?: string }
  /** Display name of the device, when known (falls back to the id). */
  deviceName?: string
  timezone: string
  /** For a resolve: the channel reference of the alert it answers (Slack ts, email Message-ID). */
  replyTo?: string
  /** For a Slack resolve: the channel id the alert landed in (thread replies need the id, not a name). */
  replyChannel?: string
  /** For a rollup digest: the decisions it summarises (the message lists every event_id). */
  rollup?: Decision[]
  /** Slack with slack.appToken: attach the Acknowledge / Silence buttons (a fire of a rule, not a thread reply). */
  interactive?: boolean
  /** Not a new message: edit the Slack message `channel`/`ts` to show `status` (chat.update). */
  edit?: { channel: string; ts: string; status: MessageStatus }
  /** Not a new alert: forward the incident's acknowledgement (PagerDuty `acknowledge`). */
  acknowledge?: { by: string; at: number }
}

export interface DeliveryReceipt {
  /** Channel reference to thread replies under: Slack `ts`, email Message-ID. */
  ref?: string
  /** Slack channel id the message landed in (for thread replies). */
  channel?: string
  /**
   * Email: recipients the server refused while it accepted the others. The alert counts as sent; a copy addressed
   * to the refused recipients only is dead-lettered, so it is listed and can be retried after a fix.
   */
  refused?: { recipients: string[]; reason: string }
  /** Slack: the message carries buttons, so the daemon indexes it for clicks and edits. */
  interactive?: boolean
}

/**
 * Thrown by `send` (code DELIVERY_FAILED); `retryable` decides between a retry with backoff and the dead-letter list.
 * The message is scrubbed of secrets and capped (errorText): it is logged and stored as the dead letter's reason.
 */
export class DeliveryError extends SeamAlertsError {
  readonly retryable: boolean
  readonly retryAfterMs: number | undefined
  constructor(message: string, options: { retryable: boolean; retryAfterMs?: number; cause?: unknown }) {
    super('DELIVERY_FAILED', errorText(message), { cause: options.cause })
    this.name = 'DeliveryError'
    this.retryable = options.retryable
    this.retryAfterMs = options.retryAfterMs
  }
}

/** One channel. A channel never imports another channel. */
export interface Notifier {
  /**
   * Deliver one message. `signal` (see `sendSignal` in channels.ts: the channel's timeout, or shutdown) aborts the
   * request in flight; the caller tells a timeout (retry) from a shutdown (the item stays queued) by its own signals.
   */
  send(message: AlertMessage, signal: AbortSignal): Promise<DeliveryReceipt>
}
