import type { Config } from '../config.js'
import type { Logger } from '../log.js'
import type { Notifiers } from './channels.js'
import { ConsoleNotifier } from './console.js'
import { EmailNotifier } from './email.js'
import { PagerDutyNotifier } from './pagerduty.js'
import { SlackNotifier } from './slack.js'
import { SlackWebhookNotifier } from './slack-webhook.js'
import { TeamsNotifier } from './teams.js'
import { WebhookNotifier } from './webhook.js'

/**
 * The channels the config enables: Slack bot (slack.token), incoming webhooks, PagerDuty, signed webhooks and
 * Teams (always: their URL or key is per action), email (email.smtp + email.from), console (always; to
 * `consoleStream`, default stdout).
 */
export function createNotifiers(
  config: Pick<Config, 'slack' | 'email' | 'pagerduty'>,
  options: { logger: Logger; consoleStream?: NodeJS.WritableStream },
): Notifiers {
  const notifiers: Notifiers = {
    'slack-webhook': new SlackWebhookNotifier(),
    console: new ConsoleNotifier({ stream: options.consoleStream }),
    pagerduty: new PagerDutyNotifier(config.pagerduty.apiUrl),
    webhook: new WebhookNotifier(),
    teams: new TeamsNotifier(),
  }
  if (config.slack.token) {
    notifiers.slack = new SlackNotifier({
      token: config.slack.token,
      apiUrl: config.slack.apiUrl,
      logger: options.logger,
      ...(config.slack.appToken ? { silenceChoices: config.slack.silenceChoices } : {}),
    })
  }
  if (config.email.smtp && config.email.from) {
    notifiers.email = new EmailNotifier({ smtp: config.email.smtp, from: config.email.from })
  }
  return notifiers
}
