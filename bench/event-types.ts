interface EventSchemaVariant {
  properties: { event_type: { enum: string[] } }
}

/** Set by run.ts for its child processes, so each worker does not load the whole OpenAPI spec (~100 MB) again. */
export const EVENT_TYPES_ENV = 'SEAM_ALERTS_BENCH_EVENT_TYPES'

async function loadEventTypes(): Promise<string[]> {
  const passed = process.env[EVENT_TYPES_ENV]
  if (passed) return JSON.parse(passed) as string[]
  const { openapi } = await import('@seamapi/types/connect')
  const spec = openapi as unknown as { components: { schemas: { event: { oneOf: EventSchemaVariant[] } } } }
  return spec.components.schemas.event.oneOf.flatMap((variant) => variant.properties.event_type.enum)
}

/** Every Seam event type name, from the official OpenAPI spec (`components.schemas.event.oneOf[*]`). */
export const EVENT_TYPES: readonly string[] = await loadEventTypes()

/** Share of traffic per type (percent); types not listed share what is left equally. Locks dominate. */
const HOT: Record<string, number> = {
  'lock.locked': 34,
  'lock.unlocked': 34,
  'lock.access_denied': 3,
  'device.connected': 2,
  'device.disconnected': 2,
  'thermostat.temperature_changed': 2,
  'device.battery_status_changed': 1.5,
  'device.low_battery': 1,
  'access_code.set_on_device': 1.5,
  'access_code.created': 1,
  'access_code.failed_to_set_on_device': 0.5,
  'noise_sensor.noise_threshold_triggered': 0.5,
  'device.connection_became_flaky': 0.5,
  'device.connection_stabilized': 0.5,
}

export function typeWeights(): number[] {
  const hotTotal = Object.values(HOT).reduce((a, b) => a + b, 0)
  const coldCount = EVENT_TYPES.filter((t) => !(t in HOT)).length
  const cold = (100 - hotTotal) / coldCount
  return EVENT_TYPES.map((t) => HOT[t] ?? cold)
}

/** Types ordered from most to least frequent (stable), so small rule sets cover the busy types. */
export function typesByTraffic(): string[] {
  const weights = typeWeights()
  return EVENT_TYPES.map((type, i) => ({ type, w: weights[i]!, i }))
    .sort((a, b) => b.w - a.w || a.i - b.i)
    .map((x) => x.type)
}

/** Which extra fields an event of this type carries. */
export type FieldFamily = 'device' | 'account' | 'acs' | 'other'

export function familyOf(type: string): FieldFamily {
  if (/^(lock|device|access_code|thermostat|noise_sensor|action_attempt)\./.test(type)) return 'device'
  if (type.startsWith('connected_account.')) return 'account'
  if (type.startsWith('acs_')) return 'acs'
  return 'other'
}
