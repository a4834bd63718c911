import type { Config } from '../config.js'
import { formatDuration } from '../duration.js'

/** What describeChannels needs of an action: its type and, for Slack, whether it posts to a webhook. */
type ActionLike = { type: string; webhookUrl?: string | undefined }

const DEFAULT_PAGERDUTY = 'https://events.pagerduty.com/v2/enqueue'

/**
 * The configured channels in words for the start line, never a secret: `slack`, `slack-webhook`,
 * `email(smtp.example.com:587)`, `console`, `pagerduty`, `webhook`, `teams`, `heartbeat(every 1 minute)`.
 * Channels whose URL or key is per action (Slack webhooks, PagerDuty, webhooks, Teams) are listed only when an
 * action in use sends to them — `actions` (every rule's and the monitor's, e.g. `policy.forRule` of each rule plus
 * `policy.forMonitor()`), or, when not given, `config.monitor.actions`. A non-default API host is named (never a
 * URL path, key or token).
 */
export function describeChannels(
  config: Pick<Config, 'slack' | 'email' | 'console'> &
    Partial<Pick<Config, 'pagerduty' | 'heartbeat'>> & { monitor?: { actions: readonly ActionLike[] } },
  consoleOn: boolean,
  actions: Iterable<ActionLike> = config.monitor?.actions ?? [],
): string[] {
  const out: string[] = []
  const used = new Set<string>()
  for (const action of actions)
    used.add(action.type === 'slack' ? (action.webhookUrl ? 'slack-webhook' : 'slack') : action.type)
  if (config.slack.token) {
    const defaultApi = /^https:\/\/slack\.com\/api\/?$/.test(config.slack.apiUrl)
    out.push(defaultApi ? 'slack' : `slack(${new URL(config.slack.apiUrl).host})`)
  }
  if (used.has('slack-webhook')) out.push('slack-webhook')
  if (config.email.smtp && config.email.from)
    out.push(`email(${config.email.smtp.host}:${config.email.smtp.port})`)
  if (consoleOn) out.push('console')
  if (used.has('pagerduty')) {
    const apiUrl = config.pagerduty?.apiUrl ?? DEFAULT_PAGERDUTY
    out.push(apiUrl === DEFAULT_PAGERDUTY ? 'pagerduty' : `pagerduty(${new URL(apiUrl).host})`)
  }
  if (used.has('webhook')) out.push('webhook')
  if (used.has('teams')) out.push('teams')
  if (config.heartbeat) out.push(`heartbeat(every ${formatDuration(config.heartbeat.every)})`)
  return out
}
