import type { MessageStatus } from '../state/slack-messages.js'
import { escapeMrkdwn } from './escape.js'
import { formatDuration, formatTime } from './format.js'
import type { SlackBlock } from './render-slack.js'

/**
 * The buttons on a Slack alert (slack.appToken set) and the status lines of its edits.
 *
 * Button format (the click handler and the tests rely on it; nothing in it is a secret or grants anything beyond
 * the click, and the daemon finds the alert by the click's channel + message ts in its state, never by the value):
 * - block_id `seam_alerts.actions`
 * - Acknowledge: action_id `seam_alerts.ack`, value `ack`
 * - Silence: action_id `seam_alerts.silence.<duration>` (action_ids must be unique in a block), value
 *   `<duration>` as written in slack.silenceChoices (`1h`). The handler reads the duration from the value and
 *   refuses one that is not a configured choice, so an edited payload cannot create a longer silence.
 */
export const ACTIONS_BLOCK_ID = 'seam_alerts.actions'
export const ACK_ACTION_ID = 'seam_alerts.ack'
export const SILENCE_ACTION_ID = 'seam_alerts.silence'
export const ACK_VALUE = 'ack'

/** Is this a Silence button's action_id (`seam_alerts.silence` or `seam_alerts.silence.<duration>`)? */
export const isSilenceAction = (actionId: string): boolean =>
  actionId === SILENCE_ACTION_ID || actionId.startsWith(`${SILENCE_ACTION_ID}.`)

const button = (text: string, actionId: string, value: string, style?: 'primary' | 'danger') => ({
  type: 'button',
  text: { type: 'plain_text', text, emoji: true },
  action_id: actionId,
  value,
  ...(style ? { style } : {}),
})

/** The actions block for a message in this status; undefined when no button is left (resolved, or both done). */
export function actionsBlock(choices: readonly string[], status: MessageStatus = {}): SlackBlock | undefined {
  if (status.resolved) return undefined
  const elements: SlackBlock[] = []
  if (!status.acknowledged) elements.push(button('Acknowledge', ACK_ACTION_ID, ACK_VALUE, 'primary'))
  if (!status.silenced) {
    for (const choice of choices)
      elements.push(button(`Silence ${choice}`, `${SILENCE_ACTION_ID}.${choice}`, choice))
  }
  return elements.length > 0 ? { type: 'actions', block_id: ACTIONS_BLOCK_ID, elements } : undefined
}

/** A Slack user mention; anything that is not a plain user id is shown escaped instead of as a mention. */
export function mention(user: string): string {
  return /^[A-Z0-9]{2,40}$/i.test(user) ? `<@${user}>` : escapeMrkdwn(user)
}

/** The status lines of an edited message (mrkdwn), oldest fact first. `incidents`: how many a rollup lists. */
export function statusLines(status: MessageStatus, timezone: string, incidents = 1): string[] {
  const lines: string[] = []
  const time = (ms: number) => escapeMrkdwn(formatTime(ms, timezone))
  if (status.acknowledged) {
    lines.push(`:eyes: Acknowledged by ${mention(status.acknowledged.by)} at ${time(status.acknowledged.at)}`)
  }
  if (status.silenced) {
    lines.push(`:no_bell: Silenced by ${mention(status.silenced.by)} until ${time(status.silenced.until)}`)
  }
  if (status.resolved) {
    const lasted =
      status.resolved.lastedMs !== undefined
        ? ` after ${escapeMrkdwn(formatDuration(status.resolved.lastedMs))}`
        : ''
    const who = status.acknowledged
      ? `acknowledged by ${mention(status.acknowledged.by)}`
      : 'not acknowledged'
    lines.push(`:white_check_mark: Resolved at ${time(status.resolved.at)}${lasted} · ${who}`)
  } else if (status.resolvedIncidents && status.resolvedIncidents.length > 0) {
    lines.push(`:white_check_mark: ${status.resolvedIncidents.length} of ${incidents} incidents resolved`)
  }
  return lines
}

/** The blocks of a message with buttons: its content, the status lines (if any), then the buttons left. */
export function interactiveBlocks(
  blocks: readonly SlackBlock[],
  choices: readonly string[],
  status: MessageStatus,
  timezone: string,
  incidents = 1,
): SlackBlock[] {
  const out = [...blocks]
  const lines = statusLines(status, timezone, incidents)
  if (lines.length > 0) out.push({ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } })
  const actions = actionsBlock(choices, status)
  if (actions) out.push(actions)
  return out
}
