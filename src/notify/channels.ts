import type { Action } from '../rules/action-schema.js'
import type { Notifier } from './notifier.js'

/** The channel kinds the delivery worker dispatches to. */
export type ChannelKind = 'slack' | 'slack-webhook' | 'email' | 'console' | 'pagerduty' | 'webhook' | 'teams'

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
  // A rollup sends one PagerDuty event per incident (up to MAX_ROLLUP), a few at a time.
  pagerduty: 30_000,
  webhook: 15_000,
  teams: 15_000,
}

/** The signal one send runs under: aborted when its channel's timeout passes, or when `stop` (shutdown) aborts. */
export function sendSignal(kind: ChannelKind, stop?: AbortSignal): AbortSignal {
  const timeout = AbortSignal.timeout(SEND_TIMEOUT_MS[kind])
  return stop ? AbortSignal.any([timeout, stop]) : timeout
}

/** Which channel delivers an action: a Slack action with `channel` uses the bot token, with `webhookUrl` the webhook. */
export function channelKind(action: { type: string; channel?: unknown }): ChannelKind {
  switch (action.type) {
    case 'slack':
      return action.channel ? 'slack' : 'slack-webhook'
    case 'email':
    case 'pagerduty':
    case 'webhook':
    case 'teams':
      return action.type
    default:
      return 'console'
  }
}

/**
 * Does this action need a secret that is not stored with it (stripped from the outbox, see stripActionSecrets)
 * and must be looked up again from its rule at send time? Everything but the channels whose credentials are in
 * the config (Slack bot, email) or that have none (console).
 */
export function needsActionSecret(kind: ChannelKind): boolean {
  return kind !== 'slack' && kind !== 'email' && kind !== 'console'
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
