import { NOISE_SUMMARY_EVENT_TYPE } from '../noise/summaries.js'
import type { Notifiers } from '../notify/channels.js'
import { createNotifiers } from '../notify/create-notifiers.js'
import { DeliveryWorker } from '../notify/delivery-worker.js'
import { type DeviceLookup, DeviceNames } from '../notify/device-names.js'
import type { Decision } from '../rules/decision.js'
import { type ActionPolicy, MONITOR_RULE_PREFIX, type RuleLookup } from './actions.js'
import type { DaemonContext } from './context.js'
import { DIGEST_EVENT_TYPE } from './digest.js'
import { DaemonMetrics } from './metrics.js'
import { MONITOR_DESCRIPTIONS, type MonitorCheck } from './self-monitor.js'

/** Header info for an alert: the rule's description and severity, or the self-monitor's for meta-alerts. */
export function ruleInfoFor(
  id: string,
  rules: RuleLookup,
): { description?: string; severity?: string } | undefined {
  if (id.startsWith(MONITOR_RULE_PREFIX)) {
    const check = id.slice(MONITOR_RULE_PREFIX.length) as MonitorCheck
    return { description: MONITOR_DESCRIPTIONS[check] ?? id, severity: 'critical' }
  }
  const rule = rules.get(id)
  return rule ? { description: rule.description, severity: rule.severity } : undefined
}

/** An alert of a rule (not a digest, a noise summary or a meta-alert): the ones that get Slack buttons. */
export function isRuleAlert(decision: Decision, rules: RuleLookup): boolean {
  if (decision.rule.startsWith(MONITOR_RULE_PREFIX)) return false
  const type = decision.event?.event_type
  if (type === DIGEST_EVENT_TYPE || type === NOISE_SUMMARY_EVENT_TYPE) return false
  const rule = rules.get(decision.rule)
  return rule !== undefined && !rule.digest
}

/**
 * The channels and the delivery worker, wired to the live rules, device names and metrics. The worker answers the
 * context's "work queued" call; it runs in the background unless --once (which drains it instead), and at shutdown
 * gives sends in flight `stopTimeoutMs` before aborting them (they stay queued).
 */
export function startDelivery(
  ctx: DaemonContext,
  opts: {
    rules: RuleLookup
    policy: ActionPolicy
    lookupDevice: DeviceLookup
    consoleStream?: NodeJS.WritableStream
  },
): { worker: DeliveryWorker; notifiers: Notifiers } {
  const { config, state, clock, logger, metrics } = ctx
  const notifiers = createNotifiers(config, {
    logger,
    ...(opts.consoleStream ? { consoleStream: opts.consoleStream } : {}),
  })
  const deviceNames = new DeviceNames({
    state,
    lookup: opts.lookupDevice,
    clock,
    logger,
    ttlMs: config.retention.deviceNames,
  })
  const worker = new DeliveryWorker({
    state,
    notifiers,
    resolveAction: (ref) => opts.policy.resolve(ref, opts.rules),
    ruleInfo: (id) => ruleInfoFor(id, opts.rules),
    deviceName: deviceNames.deviceName,
    ...(config.slack.appToken ? { interactive: (d: Decision) => isRuleAlert(d, opts.rules) } : {}),
    clock,
    logger,
    delivery: config.delivery,
    timezone: config.timezone,
    onOutcome: (outcome, item) =>
      metrics.deliveries.inc({
        rule: item.decision.rule,
        channel: DaemonMetrics.channelOf(item.target),
        outcome,
      }),
  })
  ctx.answerQueued(() => worker.kick())
  ctx.lifecycle.add({
    name: 'delivery',
    start: ctx.once ? undefined : () => worker.start(),
    stop: () => worker.stop(ctx.stopTimeoutMs),
  })
  return { worker, notifiers }
}
