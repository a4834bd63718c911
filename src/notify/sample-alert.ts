import type { Action } from '../rules/action-schema.js'
import type { Decision } from '../rules/decision.js'
import type { AlertMessage } from './notifier.js'

/** A realistic alert for `test-notify`: a low-battery fire on a sample device. */
export function sampleAlert(action: Action, timezone: string, now: number): AlertMessage {
  const at = new Date(now).toISOString()
  const eventId = `test-notify-${now}`
  const event = {
    event_id: eventId,
    event_type: 'device.low_battery',
    created_at: at,
    occurred_at: at,
    device_id: '00000000-0000-4000-8000-000000000000',
    battery_level: 0.12,
  }
  const decision: Decision = {
    rule: 'test-notify',
    kind: 'fire',
    group: { device_id: event.device_id },
    event_id: eventId,
    at,
    count: 1,
    suppressed: 0,
    event,
  }
  return {
    id: `test-notify:fire:${eventId}:0`,
    decision,
    action,
    rule: { id: 'test-notify', description: 'Test alert from seam-alerts test-notify', severity: 'info' },
    deviceName: 'Sample Front Door',
    timezone,
  }
}
