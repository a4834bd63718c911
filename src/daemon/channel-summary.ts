import type { Config } from '../config.js'

/** What describeChannels needs of an action: its type and, for Slack, whether it posts to a webhook. */
type ActionLike = { type: string; webhookUrl?: string | undefined }

/**
 * The configured channels in words for the start line, never a secret: `slack`, `slack-webhook`,
 * `email(smtp.example.com:587)`, `console`. `slack-webhook` needs no config: it is listed only when an action in
 * use posts to a webhook — `actions` (every rule's and the monitor's, e.g. `policy.forRule` of each rule plus
 * `policy.forMonitor()`), or, when not given, `config.monitor.actions`.
 */
export function describeChannels(
  config: Pick<Config, 'slack' | 'email' | 'console'> & { monitor?: { actions: readonly ActionLike[] } },
  consoleOn: boolean,
  actions: Iterable<ActionLike> = config.monitor?.actions ?? [],
): string[] {
  const out: string[] = []
  if (config.slack.token) {
    const defaultApi = /^https:\/\/slack\.com\/api\/?$/.test(config.slack.apiUrl)
    out.push(defaultApi ? 'slack' : `slack(${new URL(config.slack.apiUrl).host})`)
  }
  if (usesWebhook(actions)) out.push('slack-webhook')
  if (config.email.smtp && config.email.from)
    out.push(`email(${config.email.smtp.host}:${config.email.smtp.port})`)
  if (consoleOn) out.push('console')
  return out
}

function usesWebhook(actions: Iterable<ActionLike>): boolean {
  for (const action of actions) if (action.type === 'slack' && action.webhookUrl) return true
  return false
}
