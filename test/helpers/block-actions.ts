import { randomBytes } from 'node:crypto'
import type { SlackMessage } from './slack-stand-in.js'

export interface BlockActionsInput {
  /** The message as posted (and updated) through the Web API stand-in. */
  message: SlackMessage
  /** The clicked button's `action_id`. */
  actionId: string
  /** Pick among buttons sharing the action_id (in different blocks) by their label or value. */
  label?: string
  value?: string
  /** Which version of the message the user saw (0 = as posted); default: the latest. A stale view clicks old buttons. */
  version?: number
  user?: { id: string; username?: string } | string
  /** Override the channel (default: the message's channel id). */
  channel?: { id?: string; name?: string }
  appId: string
  teamId: string
  /** A counter making trigger ids and response URLs unique. */
  n: number
  /** Where `response_url` points (the Web API stand-in, never the network). */
  responseUrlBase: string
}

interface Button {
  block_id: string | undefined
  element: Record<string, unknown>
}

/** Every button in a message's blocks (in `actions` blocks and as section accessories), with its block's id. */
export function buttonsOf(blocks: unknown[] | undefined): Button[] {
  const out: Button[] = []
  for (const raw of blocks ?? []) {
    const block = raw as { block_id?: string; elements?: unknown; accessory?: unknown }
    const elements = [...(Array.isArray(block.elements) ? block.elements : []), block.accessory]
    for (const el of elements as Array<Record<string, unknown> | undefined>) {
      if (el?.type === 'button') out.push({ block_id: block.block_id, element: el })
    }
  }
  return out
}

const labelOf = (el: Record<string, unknown>) => (el.text as { text?: string } | undefined)?.text

/**
 * A `block_actions` payload in the shape Slack documents
 * (https://docs.slack.dev/reference/interaction-payloads/block_actions-payload) for a click on a button the
 * message really carries: its action_id, block_id, text, value and style are copied from the posted blocks.
 * Throws when the message (in the version the user sees) has no such button.
 */
export function blockActionsPayload(input: BlockActionsInput): Record<string, unknown> {
  const { message } = input
  const seen = input.version === undefined ? message.versions.at(-1) : message.versions[input.version]
  if (!seen) throw new Error(`message ${message.ts} has no version ${input.version}`)
  const buttons = buttonsOf(seen.blocks).filter(
    (b) =>
      b.element.action_id === input.actionId &&
      (input.label === undefined || labelOf(b.element) === input.label) &&
      (input.value === undefined || b.element.value === input.value),
  )
  if (buttons.length !== 1) {
    const all = buttonsOf(seen.blocks).map((b) => `${String(b.element.action_id)} "${labelOf(b.element)}"`)
    throw new Error(
      `message ${message.channel} ${message.ts} has ${buttons.length} button(s) matching ${input.actionId}` +
        `${input.label ? ` "${input.label}"` : ''}; it has: ${all.join(', ') || 'none'}`,
    )
  }
  const [button] = buttons as [Button]
  const user = typeof input.user === 'string' ? { id: input.user } : (input.user ?? { id: 'U0ALICE01' })
  const username = user.username ?? user.id.toLowerCase()
  const channelId = input.channel?.id ?? message.channel
  const actionTs = `${Math.floor(Date.now() / 1000)}.${String(input.n).padStart(6, '0')}`
  return {
    type: 'block_actions',
    user: { id: user.id, username, name: username, team_id: input.teamId },
    api_app_id: input.appId,
    token: 'stand-in-verification-token',
    container: { type: 'message', message_ts: message.ts, channel_id: channelId, is_ephemeral: false },
    trigger_id: `${input.n}.${input.teamId}.${randomBytes(8).toString('hex')}`,
    team: { id: input.teamId, domain: 'seam-alerts-stand-in' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: channelId, name: input.channel?.name ?? channelId.replace(/^C_/, '') },
    message: {
      type: 'message',
      user: 'U_SEAM_ALERTS_BOT',
      text: seen.text,
      ts: message.ts,
      bot_id: 'B_SEAM_ALERTS',
      ...(message.thread_ts === undefined ? {} : { thread_ts: message.thread_ts }),
      blocks: seen.blocks,
    },
    state: { values: {} },
    response_url: `${input.responseUrlBase}/actions/${input.teamId}/${input.n}/response_url`,
    actions: [
      {
        type: 'button',
        action_id: button.element.action_id,
        block_id: button.block_id ?? `stand-in-block-${input.n}`,
        text: button.element.text,
        ...(button.element.value === undefined ? {} : { value: button.element.value }),
        ...(button.element.style === undefined ? {} : { style: button.element.style }),
        action_ts: actionTs,
      },
    ],
  }
}
