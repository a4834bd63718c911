import { errorMessage } from '../../errors.js'
import { postEphemeral } from '../../notify/slack-ephemeral.js'
import type { Rule } from '../../rules/rule-schema.js'
import type { ActionPolicy } from '../actions.js'
import type { DaemonContext } from '../context.js'
import {
  applyClick,
  type Click,
  type ClickDeps,
  type ClickResult,
  clickedMessage,
  NOT_TRACKED,
  parseClick,
} from './click.js'
import { type Envelope, SocketModeConnection } from './socket-connection.js'

/** Slack wants every envelope acked within 3 s; this leaves room for the socket and the network. */
export const ACK_DEADLINE_MS = 2500

/** How long a click on a message not (yet) in the index waits for Slack sends in flight to be recorded. */
const UNKNOWN_GRACE_MS = 5000

const FAILED_REPLY =
  'seam-alerts could not record this click (see its log); nothing changed. Please try again.'

type Outcome = ClickResult['outcome'] | 'failed'

/**
 * Slack buttons over Socket Mode (issue 13), as one daemon component: with slack.appToken (and the bot token that
 * posts the buttons) it keeps the Socket Mode connection (socket-connection.ts) and handles clicks. Its state shows
 * in /healthz (`slackSocket`) and /metrics (`seam_alerts_slack_socket_connected`, `..._slack_actions_total`); a lost
 * connection stops only the buttons, never polling or delivery. Without an app token nothing is built.
 */
export function slackActions(
  ctx: DaemonContext,
  parts: { rules: { get(id: string): Rule | undefined }; policy: ActionPolicy },
): void {
  const { config, metrics, health } = ctx
  const appToken = config.slack.appToken
  if (!appToken) return
  const logger = ctx.logger.child({ component: 'slack-actions' })
  const token = config.slack.token
  if (!token) {
    logger.warn(
      'slack.appToken is set but slack.token is not: no message carries buttons, so no Socket Mode link',
    )
    return
  }
  const deps = (): ClickDeps => ({
    now: ctx.clock.now(),
    silenceChoices: config.slack.silenceChoices,
    timezone: config.timezone,
    rule: (id) => {
      const rule = parts.rules.get(id)
      return rule ? { resolve: rule.resolve, actions: parts.policy.forRule(rule) } : undefined
    },
  })

  /**
   * Durability of a click: the effect is written BEFORE the ack. Slack redelivers unacked Events API envelopes
   * (`retry_attempt`, `retry_reason`), but not interactive ones: an unacked click is never sent again, the user sees
   * an error on the button instead. So waiting for a redelivery would lose clicks; acking first would claim a click
   * that a crash then loses. Here the click's whole effect (acknowledgement or silence, history, the message edit and
   * PagerDuty follow-ups in the outbox) is ONE atomic state write, and only once it is on disk is the envelope
   * acked. A SIGKILL before the write: nothing changed, no ack, Slack shows the user the error and they click again.
   * A SIGKILL after the write: the effect is there after the restart; a second click, or a redelivered envelope
   * (same envelope_id, remembered on the message), changes nothing. If the write takes longer than
   * ACK_DEADLINE_MS (a slow disk, or a click on a message whose send is not recorded yet: `recorded`), the envelope
   * is acked anyway (Slack's 3 s) and the write still completes, or fails with a reply to the user and a log line.
   */
  /**
   * The clicked message, once this daemon has recorded it. Slack shows a message as soon as it takes the post, and
   * its answer (which the index is written with) can come later: while a Slack alert is still in the outbox (sent
   * or being sent, outcome not yet recorded), an unknown message is looked up again, up to UNKNOWN_GRACE_MS.
   */
  async function recorded(click: Click) {
    const until = performance.now() + UNKNOWN_GRACE_MS
    for (;;) {
      const state = ctx.state.current()
      const found = clickedMessage(state, click)
      if (found) return found
      const pending = state.outbox.some((item) => !item.followUp && item.target.startsWith('slack:'))
      if (!pending || performance.now() >= until || ctx.signal.aborted) return undefined
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }

  async function handle(click: Click, ack: () => boolean): Promise<void> {
    let acked = false
    const ackOnce = () => {
      if (acked) return
      acked = true
      if (!ack())
        logger.warn({ envelope: click.envelopeId }, 'slack: could not ack a click (the socket is gone)')
    }
    const deadline = setTimeout(() => {
      logger.warn(
        { envelope: click.envelopeId },
        'slack: acking a click before its effect is written (3 s limit)',
      )
      ackOnce()
    }, ACK_DEADLINE_MS)
    let outcome: Outcome
    let reply: string | undefined
    try {
      const known = await recorded(click)
      // Nothing to write for an unknown message or a redelivered envelope: answer without touching the state.
      const result: ClickResult = !known
        ? { outcome: 'unknown', reply: NOT_TRACKED, queued: false }
        : known.envelopes.includes(click.envelopeId)
          ? { outcome: 'duplicate', queued: false }
          : await ctx.state.update((draft) => applyClick(draft, click, deps()))
      outcome = result.outcome
      reply = result.reply
      if (result.queued) ctx.onQueued()
    } catch (error) {
      outcome = 'failed'
      reply = FAILED_REPLY
      logger.error(
        { err: errorMessage(error), envelope: click.envelopeId },
        'slack: could not record a click',
      )
    } finally {
      clearTimeout(deadline)
      ackOnce()
    }
    metrics.slackActions.inc({ action: click.action, outcome })
    logger.info(
      { action: click.action, outcome, user: click.user, channel: click.channel, ts: click.ts },
      'slack: button click handled',
    )
    if (reply) {
      await postEphemeral(
        { token: token!, apiUrl: config.slack.apiUrl, logger },
        { channel: click.channel, user: click.user, text: reply },
      )
    }
  }

  const onEnvelope = (envelope: Envelope, ack: () => boolean): void => {
    const click =
      envelope.type === 'interactive' ? parseClick(envelope.envelope_id, envelope.payload) : undefined
    if (!click || click.action === 'other') {
      // Not one of our buttons (another interaction, an event): acked so Slack does not retry it, and counted.
      ack()
      metrics.slackActions.inc({ action: 'other', outcome: 'invalid' })
      logger.debug(
        { type: envelope.type },
        'slack: envelope that is not a button click of ours; acked and ignored',
      )
      return
    }
    handle(click, ack).catch((error: unknown) =>
      logger.error({ err: errorMessage(error) }, 'slack: handling a click failed'),
    )
  }

  const connection = new SocketModeConnection({
    appToken,
    apiUrl: config.slack.apiUrl,
    logger,
    onEnvelope,
    onState: (state, reason) => {
      health.socket(state, reason)
      metrics.slackSocketConnected.set(state === 'connected' ? 1 : 0)
      if (state === 'connected') {
        metrics.slackSocketConnects.inc()
        logger.info('slack socket mode: connected')
      }
    },
  })
  health.socket('disconnected', 'not started')
  ctx.lifecycle.add({
    name: 'slack socket mode',
    start: ctx.once ? undefined : () => connection.start(),
    stop: () => connection.stop(),
  })
}
