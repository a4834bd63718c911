import type { Action } from '../rules/action-schema.js'
import { type Decision, incidentKey } from '../rules/decision.js'
import { ACTION_SECRETS } from '../secrets/definition.js'
import type { RollupLineRecord } from '../state/slack-messages.js'
import type { OutboxItem, State } from '../state/state-schema.js'
import { channelKind, needsActionSecret } from './channels.js'
import type { AlertMessage } from './notifier.js'
import type { SendUnit } from './rollup.js'

export interface AlertMessageContext {
  state: State
  target: string
  timezone: string
  ruleInfo: (ruleId: string) => { description?: string; severity?: string } | undefined
  deviceName?: (deviceId: string) => Promise<string | undefined>
  /** May this alert carry buttons (a fire of a rule; not a digest, summary or meta-alert)? Default: no. */
  interactive?: (decision: Decision) => boolean
}

/** A rollup line kept with a message record, as the decision the renderer lists. */
function rollupDecision(line: RollupLineRecord): Decision {
  const event = { event_id: line.event_id, ...(line.deviceId ? { device_id: line.deviceId } : {}) }
  return { ...line, count: 1, suppressed: 0, event: event as unknown as Decision['event'] }
}

/**
 * The action to send with: the stored action (secrets stripped) plus its secret fields (webhook URLs, routing
 * keys, signing secrets, headers: ACTION_SECRETS) re-resolved through actionRef, i.e. the rule's current values.
 * Undefined when an action that needs them cannot be resolved any more (its rule or action is gone).
 */
export function sendableAction(
  item: OutboxItem,
  resolveAction: (actionRef: string) => Action | undefined,
): Action | undefined {
  const stored = item.action as Action
  const fields = Object.keys(ACTION_SECRETS[stored.type] ?? {})
  if (fields.length === 0 || !needsActionSecret(channelKind(stored))) return stored
  const resolved = resolveAction(item.actionRef)
  if (resolved?.type !== stored.type || channelKind(resolved) !== channelKind(stored)) return undefined
  const secrets: Record<string, unknown> = {}
  for (const field of fields) {
    const value = (resolved as Record<string, unknown>)[field]
    if (value !== undefined) secrets[field] = value
  }
  return { ...stored, ...secrets } as Action
}

/** Build what the channel sends for one unit: device name, rule info, thread reference, rollup list. */
export async function alertMessageFor(
  unit: SendUnit,
  action: Action,
  context: AlertMessageContext,
): Promise<AlertMessage> {
  const first = unit.items[0]!
  const decision = first.decision as unknown as Decision
  const info = context.ruleInfo(decision.rule)
  const deviceId = decision.group.device_id ?? decision.event?.device_id
  let deviceName: string | undefined
  if (typeof deviceId === 'string' && deviceId && context.deviceName && !unit.rollup) {
    deviceName = await context.deviceName(deviceId).catch(() => undefined)
  }
  const message: AlertMessage = {
    id: unit.rollup ? `rollup:${first.id}` : first.id,
    decision,
    action,
    rule: { id: decision.rule, description: info?.description, severity: info?.severity },
    deviceName,
    timezone: context.timezone,
  }
  const followUp = first.followUp
  if (followUp?.type === 'slack-edit') {
    message.edit = { channel: followUp.channel, ts: followUp.ts, status: followUp.status }
    if (followUp.rollup) message.rollup = followUp.rollup.map(rollupDecision)
    return message
  }
  if (followUp?.type === 'acknowledge') {
    message.acknowledge = { by: followUp.by, at: followUp.at }
    return message
  }
  if (decision.kind === 'fire' && context.interactive?.(decision)) message.interactive = true
  if (unit.rollup) message.rollup = unit.items.map((item) => item.decision as unknown as Decision)
  else if (decision.kind === 'resolve') {
    const thread = context.state.threads[incidentKey(decision.rule, decision.group)]
    const slack = thread?.slack[context.target]
    if (slack) {
      message.replyTo = slack.ts
      message.replyChannel = slack.channel
    } else if (thread?.email[context.target]) message.replyTo = thread.email[context.target]
  }
  return message
}
