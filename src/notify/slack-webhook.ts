import { IncomingWebhook } from '@slack/webhook'
import { sendSignal } from './channels.js'
import { fetchUnder } from './fetch-under.js'
import { buildAlertContent } from './message.js'
import { type AlertMessage, DeliveryError, type DeliveryReceipt, type Notifier } from './notifier.js'
import { renderSlack } from './render-slack.js'
import { classifySlackError, notSlackAnswer } from './slack-errors.js'

/**
 * Slack via an incoming-webhook URL taken from the action (`webhookUrl`, a secret: resolved at send time,
 * never stored). Webhooks cannot reply in threads, so a resolve is a new message that says it resolved.
 */
export class SlackWebhookNotifier implements Notifier {
  async send(
    message: AlertMessage,
    signal: AbortSignal = sendSignal('slack-webhook'),
  ): Promise<DeliveryReceipt> {
    const url = message.action.type === 'slack' ? message.action.webhookUrl : undefined
    if (!url) throw new DeliveryError('slack-webhook: the action has no webhookUrl', { retryable: false })
    const payload = renderSlack(buildAlertContent(message))
    const webhook = new IncomingWebhook(url, {
      timeout: 0,
      fetch: fetchUnder(signal),
      retryConfig: { retries: 0 },
    })
    try {
      const result = await webhook.send({
        text: payload.text,
        // biome-ignore lint/suspicious/noExplicitAny: structural Block Kit blocks, validated by Slack
        blocks: payload.blocks as any,
        unfurl_links: false,
      })
      // Slack answers "ok". An HTML page with a 2xx is something else answering (a proxy, a captive portal):
      // the message did not reach Slack.
      if (typeof result.text === 'string' && result.text.trim().startsWith('<')) {
        throw new DeliveryError(`slack-webhook: ${notSlackAnswer(result.text)}`, { retryable: true })
      }
      return {}
    } catch (error) {
      const failure = classifySlackError(error)
      if (!failure.message.includes(url)) throw failure
      // The URL is a secret: it must not reach logs or the dead-letter list.
      throw new DeliveryError(failure.message.split(url).join('[webhook url]'), {
        retryable: failure.retryable,
        retryAfterMs: failure.retryAfterMs,
      })
    }
  }
}
