import { WebClient } from '@slack/web-api'
import type { Logger } from '../log.js'
import { buildAlertContent } from './message.js'
import { type AlertMessage, DeliveryError, type DeliveryReceipt, type Notifier } from './notifier.js'
import { renderSlack } from './render-slack.js'
import { classifySlackError } from './slack-errors.js'

export interface SlackNotifierOptions {
  token: string
  /** Web API base URL (`slack.apiUrl`), e.g. `https://slack.com/api/`. */
  apiUrl: string
  logger: Logger
  /** Per-request timeout; a timeout is a retryable failure. */
  timeoutMs?: number
}

/**
 * Slack via a bot token (`chat.postMessage`). The client never retries by itself: the delivery worker owns
 * retries, backoff and pacing, so every failure surfaces here once and is classified in slack-errors.ts.
 */
export class SlackNotifier implements Notifier {
  private readonly client: WebClient
  private readonly logger: Logger

  constructor(options: SlackNotifierOptions) {
    this.logger = options.logger
    this.client = new WebClient(options.token, {
      slackApiUrl: options.apiUrl.endsWith('/') ? options.apiUrl : `${options.apiUrl}/`,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: options.timeoutMs ?? 15_000,
      allowAbsoluteUrls: false,
      logger: quietSlackLogger(options.logger),
    })
  }

  async send(message: AlertMessage): Promise<DeliveryReceipt> {
    if (message.action.type !== 'slack' || !message.action.channel) {
      throw new DeliveryError('slack: the action has no channel', { retryable: false })
    }
    const payload = renderSlack(buildAlertContent(message))
    const channel = message.replyTo
      ? (message.replyChannel ?? message.action.channel)
      : message.action.channel
    try {
      const result = await this.client.chat.postMessage({
        channel,
        text: payload.text,
        // biome-ignore lint/suspicious/noExplicitAny: structural Block Kit blocks, validated by Slack
        blocks: payload.blocks as any,
        unfurl_links: false,
        unfurl_media: false,
        ...(message.replyTo ? { thread_ts: message.replyTo } : {}),
      })
      return { ref: result.ts, channel: result.channel ?? channel }
    } catch (error) {
      throw classifySlackError(error)
    }
  }
}

/** The Web API client's own logger, routed to ours at debug level (it would otherwise print to the console). */
function quietSlackLogger(logger: Logger) {
  const child = logger.child({ component: 'slack-web-api' })
  const line = (...msgs: unknown[]) => msgs.map(String).join(' ')
  return {
    debug: (...msgs: unknown[]) => child.debug(line(...msgs)),
    info: (...msgs: unknown[]) => child.debug(line(...msgs)),
    warn: (...msgs: unknown[]) => child.debug(line(...msgs)),
    error: (...msgs: unknown[]) => child.debug(line(...msgs)),
    setLevel: () => {},
    getLevel: () => 'debug' as never,
    setName: () => {},
  }
}
