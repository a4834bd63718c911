import type { Action } from '../rules/action-schema.js'
import type { Notifier } from './notifier.js'

/** The channel kinds the delivery worker dispatches to. */
export type ChannelKind = 'slack' | 'slack-webhook' | 'email' | 'console'

export type Notifiers = Partial<Record<ChannelKind, Notifier>>

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
