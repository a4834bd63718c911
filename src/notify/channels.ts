import type { Action } from '../rules/action-schema.js'
import type { Notifier } from './notifier.js'

/** The channel kinds the delivery worker dispatches to. */
export type ChannelKind = 'slack' | 'slack-webhook' | 'email' | 'console'

export type Notifiers = Partial<Record<ChannelKind, Notifier>>

/**
 * How long one send may take, per channel. The one place channel timeouts are set: `sendSignal` builds every
 * send's signal from it, and the email transport's socket timeouts use it too. A send past it is a retryable
 * failure (the delivery worker retries it with backoff).
 */
export const SEND_TIMEOUT_MS: Readonly<Record<ChannelKind, number>> = {
  slack: 15_000,
  'slack-webhook': 15_000,
  email: 30_000,
  console: 15_000,
}

/** The signal one send runs under: aborted when its channel's timeout passes, or when `stop` (shutdown) aborts. */
export function sendSignal(kind: ChannelKind, stop?: AbortSignal): AbortSignal {
  const timeout = AbortSignal.timeout(SEND_TIMEOUT_MS[kind])
  return stop ? AbortSignal.any([timeout, stop]) : timeout
}

/** Which channel delivers an action: a Slack action with `channel` uses the bot token, with `webhookUrl` the webhook. */
export function channelKind(action: { type: string; channel?: unknown }): ChannelKind {
  if (action.type === 'slack') return action.channel ? 'slack' : 'slack-webhook'
  return action.type === 'email' ? 'email' : 'console'
}

/** What to do when a channel is not configured (named in the dead-letter reason). */
export function missingChannelReason(kind: ChannelKind): string {
  switch (kind) {
    case 'slack':
      return 'no Slack bot token configured (slack.token)'
    case 'email':
      return 'no SMTP settings configured (email.smtp and email.from)'
    default:
      return `no ${kind} channel configured`
  }
}

export type { Action }
