import { WebClient } from '@slack/web-api'
import type { Logger } from '../log.js'
import { sendSignal } from './channels.js'
import { fetchUnder } from './fetch-under.js'
import { buildAlertContent } from './message.js'
import { type AlertMessage, DeliveryError, type DeliveryReceipt, type Notifier } from './notifier.js'
import { renderSlack, type SlackPayload } from './render-slack.js'
import { interactiveBlocks } from './slack-buttons.js'
import { classifySlackError } from './slack-errors.js'

export interface SlackNotifierOptions {
  token: string
  /** Web API base URL (`slack.apiUrl`), e.g. `https://slack.com/api/`. */
  apiUrl: string
  logger: Logger
  /** slack.appToken is set: alerts carry Acknowledge and one Silence button per duration (slack-buttons.ts). */
  silenceChoices?: readonly string[]
}

/**
 * Slack via a bot token (`chat.postMessage`). The client never retries by itself: the delivery worker owns
 * retries, backoff and pacing, so every failure surfaces here once and is classified in slack-errors.ts.
 */
export class SlackNotifier implements Notifier {
  readonly #token: string
  private readonly apiUrl: string
  private readonly clientLogger: ReturnType<typeof quietSlackLogger>
  private readonly silenceChoices: readonly string[] | undefined

  constructor(options: SlackNotifierOptions) {
    this.#token = options.token
    this.silenceChoices = options.silenceChoices
    this.apiUrl = slackApiBase(options.apiUrl)
    this.clientLogger = quietSlackLogger(options.logger)
  }

  /** A client whose requests run under `signal` (the client has no per-call signal, so one client per send). */
  private client(signal: AbortSignal): WebClient {
    return new WebClient(this.#token, {
      slackApiUrl: this.apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: 0,
      fetch: fetchUnder(signal),
      allowAbsoluteUrls: false,
      logger: this.clientLogger,
    })
  }

  async send(message: AlertMessage, signal: AbortSignal = sendSignal('slack')): Promise<DeliveryReceipt> {
    if (message.action.type !== 'slack' || !message.action.channel) {
      throw new DeliveryError('slack: the action has no channel', { retryable: false })
    }
    const payload = renderSlack(buildAlertContent(message))
    if (message.edit) return this.update(message, payload, signal)
    const channel = message.replyTo
      ? (message.replyChannel ?? message.action.channel)
      : message.action.channel
    const interactive = Boolean(this.silenceChoices && message.interactive && !message.replyTo)
    const blocks = interactive
      ? interactiveBlocks(payload.blocks, this.silenceChoices ?? [], {}, message.timezone)
      : payload.blocks
    try {
      const result = await this.client(signal).chat.postMessage({
        channel,
        text: payload.text,
        // biome-ignore lint/suspicious/noExplicitAny: structural Block Kit blocks, validated by Slack
        blocks: blocks as any,
        unfurl_links: false,
        unfurl_media: false,
        ...(message.replyTo ? { thread_ts: message.replyTo } : {}),
      })
      return { ref: result.ts, channel: result.channel ?? channel, ...(interactive ? { interactive } : {}) }
    } catch (error) {
      throw classifySlackError(error)
    }
  }

  /** `chat.update` of a message this daemon posted: the same content, its status lines, the buttons left. */
  private async update(
    message: AlertMessage,
    payload: SlackPayload,
    signal: AbortSignal,
  ): Promise<DeliveryReceipt> {
    const edit = message.edit!
    const incidents = message.rollup?.length ?? 1
    const blocks = interactiveBlocks(
      payload.blocks,
      this.silenceChoices ?? [],
      edit.status,
      message.timezone,
      incidents,
    )
    try {
      await this.client(signal).chat.update({
        channel: edit.channel,
        ts: edit.ts,
        text: payload.text,
        // biome-ignore lint/suspicious/noExplicitAny: structural Block Kit blocks, validated by Slack
        blocks: blocks as any,
      })
      return { ref: edit.ts, channel: edit.channel }
    } catch (error) {
      throw classifySlackError(error)
    }
  }
}

/** The Web API client's own logger, routed to ours at debug level (it would otherwise print to the console). */
/** `slack.apiUrl` as the Web API client's base: with the trailing slash its method paths are resolved against. */
export function slackApiBase(apiUrl: string): string {
  return apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`
}

export function quietSlackLogger(logger: Logger) {
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
