import { WebClient } from '@slack/web-api'
import type { Logger } from '../log.js'
import { quietSlackLogger, slackApiBase } from './slack.js'
import { classifySlackError } from './slack-errors.js'

/** How long one ephemeral reply may take: it only matters while the user looks at the button. */
const EPHEMERAL_TIMEOUT_MS = 10_000

/**
 * A reply only the clicking user sees (`chat.postEphemeral` with the bot token, through slack.apiUrl like every
 * other Web API call). Chosen over the payload's `response_url`: the daemon then never sends anything to an address
 * that came in a payload, the reply needs no extra scope (chat:write), and the Web API stand-in serves it in tests.
 * Best effort: it is not an alert, so a failure is logged, not retried through the outbox.
 */
export async function postEphemeral(
  options: { token: string; apiUrl: string; logger: Logger },
  reply: { channel: string; user: string; text: string },
): Promise<boolean> {
  const client = new WebClient(options.token, {
    slackApiUrl: slackApiBase(options.apiUrl),
    retryConfig: { retries: 1, minTimeout: 200, maxTimeout: 1000 },
    timeout: EPHEMERAL_TIMEOUT_MS,
    allowAbsoluteUrls: false,
    logger: quietSlackLogger(options.logger),
  })
  try {
    await client.chat.postEphemeral({ channel: reply.channel, user: reply.user, text: reply.text })
    return true
  } catch (error) {
    options.logger.warn(
      { err: classifySlackError(error).message },
      'slack: could not post an ephemeral reply',
    )
    return false
  }
}
