import type { Action } from '../rules/action-schema.js'
import { type Decision, incidentKey } from '../rules/decision.js'
import { ACTION_SECRETS } from '../secrets/definition.js'
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
