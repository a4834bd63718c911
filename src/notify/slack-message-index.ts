import { ownMap } from '../frozen.js'
import { labelValue } from '../noise/labels.js'
import { type Group, incidentKey } from '../rules/decision.js'
import { type RollupLineRecord, type SlackMessageRecord, slackMessageKey } from '../state/slack-messages.js'
import type { OutboxItem, State } from '../state/state-schema.js'
import type { DeliveryReceipt } from './notifier.js'

/**
 * The index of Slack messages posted with buttons (state.slackMessages, by `channel|ts`), written in the same
 * update as the send's outcome: a click is acted on only for a message found here. Pruned with the threads
 * (src/state/prune.ts): once every incident it lists is closed and it is older than `retention.sent`.
 */

/** The silence labels of one alert: `rule` and its group fields as labels (absent ones as ""). */
function groupLabels(item: OutboxItem): Record<string, string> {
  const out: Record<string, string> = { rule: item.decision.rule }
  for (const [field, value] of Object.entries(item.decision.group)) {
    if (field === 'rule') continue
    out[field] = item.labels?.[field] ?? labelValue(value) ?? ''
  }
  return out
}

function rollupLine(item: OutboxItem): RollupLineRecord {
  const d = item.decision
  const deviceId = d.group['device_id'] ?? d.event['device_id']
  return {
    rule: d.rule,
    kind: d.kind,
    group: d.group,
    event_id: d.event_id,
    at: d.at,
    ...(typeof deviceId === 'string' && deviceId ? { deviceId } : {}),
  }
}

/** Record the message one sent unit (an alert, or a rollup of several) became, when it carries buttons. */
export function recordSlackMessage(
  draft: State,
  items: readonly OutboxItem[],
  receipt: DeliveryReceipt,
  at: number,
  rollup: boolean,
): void {
  const first = items[0]
  if (!first || !receipt.interactive || !receipt.channel || !receipt.ref || first.followUp) return
  const groups: Record<string, Record<string, string>> = {}
  for (const item of items)
    groups[incidentKey(item.decision.rule, item.decision.group as Group)] = groupLabels(item)
  const record: SlackMessageRecord = {
    channel: receipt.channel,
    ts: receipt.ref,
    target: first.target,
    actionRef: first.actionRef,
    rule: first.decision.rule,
    incidents: Object.keys(groups),
    groups,
    sentAt: at,
    item: first.id,
    decision: first.decision,
    action: first.action,
    ...(rollup ? { rollup: items.map(rollupLine) } : {}),
    status: {},
    envelopes: [],
    edits: 0,
  }
  draft.slackMessages ??= {}
  ownMap(draft, 'slackMessages')[slackMessageKey(record.channel, record.ts)] = record
}

/** The message records of an incident: the ones its threads point at (one per Slack target). */
export function messagesOfIncident(state: State, incident: string): Array<[key: string, SlackMessageRecord]> {
  const thread = state.threads[incident]
  const out: Array<[string, SlackMessageRecord]> = []
  for (const { channel, ts } of Object.values(thread?.slack ?? {})) {
    const key = slackMessageKey(channel, ts)
    const record = state.slackMessages?.[key]
    if (record) out.push([key, record])
  }
  return out
}
