import type { Action } from '../rules/action-schema.js'
import { type Decision, incidentKey } from '../rules/decision.js'
import type { OutboxItem, State } from '../state/state-schema.js'
import type { AlertMessage } from './notifier.js'
import type { SendUnit } from './rollup.js'

export interface AlertMessageContext {
  state: State
  target: string
  timezone: string
  ruleInfo: (ruleId: string) => { description?: string; severity?: string } | undefined
  deviceName?: (deviceId: string) => Promise<string | undefined>
}

/**
 * The action to send with: the stored action (secrets stripped) plus, for a webhook, the URL re-resolved
 * through actionRef (the rule's current URL). Undefined when the secret cannot be resolved any more.
 */
export function sendableAction(
  item: OutboxItem,
  resolveAction: (actionRef: string) => Action | undefined,
): Action | undefined {
  const stored = item.action as Action
  if (stored.type === 'slack' && !stored.channel) {
    const resolved = resolveAction(item.actionRef)
    if (resolved?.type !== 'slack' || !resolved.webhookUrl) return undefined
    return { ...stored, webhookUrl: resolved.webhookUrl }
  }
  return stored
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
