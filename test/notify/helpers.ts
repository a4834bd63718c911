import { manualClock } from '../../src/clock.js'

export { manualClock }

import { configSchema } from '../../src/config.js'
import { silentLogger } from '../../src/log.js'
import type { ChannelKind, Notifiers } from '../../src/notify/channels.js'
import { DeliveryWorker } from '../../src/notify/delivery-worker.js'
import type { Action } from '../../src/rules/action-schema.js'
import type { Decision } from '../../src/rules/decision.js'
import type { StateAccess } from '../../src/state/store.js'
import { T0 } from '../helpers/fixtures.js'

export function decision(over: Partial<Decision> = {}): Decision {
  const event_id = over.event_id ?? 'evt_1'
  const at = over.at ?? '2026-03-01T12:00:00.000Z'
  return {
    rule: 'battery-low',
    kind: 'fire',
    group: { device_id: 'dev_1' },
    event_id,
    at,
    count: 1,
    suppressed: 0,
    event: {
      event_id,
      event_type: 'device.low_battery',
      created_at: at,
      occurred_at: at,
      device_id: 'dev_1',
      battery_level: 0.1,
    },
    ...over,
  }
}

export const delivery = (over: Partial<ReturnType<typeof configSchema.parse>['delivery']> = {}) => ({
  ...configSchema.parse({}).delivery,
  ...over,
})

/** A worker on a manual clock whose sleep advances the clock (no real waiting). */
export function makeWorker(opts: {
  state: StateAccess
  notifiers: Notifiers
  actions?: Record<string, Action>
  delivery?: Partial<ReturnType<typeof delivery>>
  deviceName?: (id: string) => Promise<string | undefined>
  outcomes?: Array<{ outcome: string; id: string; error?: string }>
  realSleep?: boolean
  clock?: ReturnType<typeof manualClock>
  leadership?: { mayAct(): boolean; readonly lost: AbortSignal }
}) {
  const clock = opts.clock ?? manualClock(T0)
  const worker = new DeliveryWorker({
    state: opts.state,
    notifiers: opts.notifiers,
    resolveAction: (ref) => opts.actions?.[ref],
    ruleInfo: (id) => ({ description: `Rule ${id}`, severity: 'critical' }),
    deviceName: opts.deviceName,
    clock,
    logger: silentLogger,
    delivery: delivery(opts.delivery),
    timezone: 'Europe/Paris',
    random: () => 0.5,
    onOutcome: (outcome, item, error) => opts.outcomes?.push({ outcome, id: item.id, error }),
    ...(opts.leadership ? { leadership: opts.leadership } : {}),
    sleep: opts.realSleep
      ? undefined
      : async (ms) => {
          clock.advance(ms)
        },
  })
  return { worker, clock }
}

export type { ChannelKind }

// ---------------------------------------------------------------- Slack Web API stand-in

export { type SlackCall, type SlackReply, startSlackStandIn } from '../helpers/slack-stand-in.js'

// ---------------------------------------------------------------- SMTP

export { type SmtpStandIn, startSmtp } from '../helpers/smtp-server.js'
