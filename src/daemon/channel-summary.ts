import type { Config } from '../config.js'

/**
 * The configured channels in words for the start line, never a secret: `slack`, `slack-webhook`,
 * `email(smtp.example.com:587)`, `console`.
 */
export function describeChannels(
  config: Pick<Config, 'slack' | 'email' | 'console'>,
  consoleOn: boolean,
): string[] {
  const out: string[] = []
  if (config.slack.token) {
    const defaultApi = /^https:\/\/slack\.com\/api\/?$/.test(config.slack.apiUrl)
    out.push(defaultApi ? 'slack' : `slack(${new URL(config.slack.apiUrl).host})`)
  }
  out.push('slack-webhook')
  if (config.email.smtp && config.email.from)
    out.push(`email(${config.email.smtp.host}:${config.email.smtp.port})`)
  if (consoleOn) out.push('console')
  return out
}
