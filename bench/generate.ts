import { once } from 'node:events'
import { createWriteStream } from 'node:fs'
import type { SeamEvent } from '../src/source/event.js'
import { EVENT_TYPES, familyOf, typeWeights } from './event-types.js'
import { createPrng, type Prng, weightedPicker } from './prng.js'

export const WORKSPACES = ['ws_0001', 'ws_0002', 'ws_0003'] as const
export const SITES = 10
export const DEVICES = 5_000
export const ACCOUNTS = 200
const HOT_DEVICES = 50
const LOCK_METHODS = ['keycode', 'manual', 'automatic', 'unknown', 'seamapi'] as const

export interface EventOptions {
  seed?: number
  /** occurred_at of the first event (epoch ms). */
  start?: number
  /** Mean gap between events (ms); the timeline is strictly increasing. */
  meanGapMs?: number
}

export const deviceId = (n: number): string => `device_${String(n).padStart(5, '0')}`
export const accountId = (n: number): string => `ca_${String(n).padStart(4, '0')}`

function hex(prng: Prng, digits: number): string {
  let out = ''
  while (out.length < digits)
    out += Math.floor(prng.next() * 0x100000000)
      .toString(16)
      .padStart(8, '0')
  return out.slice(0, digits)
}

/** A uuid-shaped id, deterministic from the PRNG. */
function uuid(prng: Prng): string {
  const h = hex(prng, 32)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`
}

/**
 * Deterministic synthetic Seam events: a realistic type mix (mostly lock.locked / lock.unlocked), 5,000 devices
 * (50 of them busy, so windows fill), per-type fields (method, battery_level, temperature, noise level, metadata).
 * Yields them in (created_at, event_id) order; created_at = occurred_at + 400 ms.
 */
export function* generateEvents(count: number, options: EventOptions = {}): Generator<SeamEvent> {
  const prng = createPrng(options.seed ?? 42)
  const pickType = weightedPicker(EVENT_TYPES, typeWeights())
  const meanGap = options.meanGapMs ?? 100
  let t = options.start ?? Date.parse('2026-01-05T00:00:00.000Z')
  for (let i = 0; i < count; i++) {
    t += 1 + Math.floor(prng.next() * 2 * meanGap)
    yield makeEvent(prng, pickType(prng), t)
  }
}

export function makeEvent(prng: Prng, type: string, occurredAt: number): SeamEvent {
  const event: SeamEvent = {
    event_id: uuid(prng),
    event_type: type,
    created_at: new Date(occurredAt + 400).toISOString(),
    occurred_at: new Date(occurredAt).toISOString(),
    workspace_id: prng.pick(WORKSPACES),
  }
  const family = familyOf(type)
  if (family === 'device') {
    const device = prng.next() < 0.3 ? prng.int(HOT_DEVICES) : prng.int(DEVICES)
    event.device_id = deviceId(device)
    event.connected_account_id = accountId(device % ACCOUNTS)
    event.device_custom_metadata = { site: `site-${device % SITES}`, floor: device % 7 }
  } else if (family === 'account') {
    event.connected_account_id = accountId(prng.int(ACCOUNTS))
  } else if (family === 'acs') {
    event.acs_system_id = `acs_${prng.int(20)}`
  }
  addTypeFields(prng, type, event)
  return event
}

function addTypeFields(prng: Prng, type: string, event: Record<string, unknown>): void {
  if (type === 'lock.locked' || type === 'lock.unlocked') {
    const method = prng.pick(LOCK_METHODS)
    event.method = method
    if (method === 'keycode') event.access_code_id = `ac_${prng.int(2_000)}`
  } else if (type === 'lock.access_denied' || type.startsWith('access_code.')) {
    event.access_code_id = `ac_${prng.int(2_000)}`
  } else if (type === 'device.low_battery' || type === 'device.battery_status_changed') {
    const level = Math.round(prng.next() * 100) / 100
    event.battery_level = level
    event.battery_status = level < 0.2 ? 'critical' : level < 0.5 ? 'low' : 'good'
  } else if (type.startsWith('thermostat.')) {
    event.temperature_celsius = Math.round((15 + prng.next() * 20) * 10) / 10
  } else if (type === 'noise_sensor.noise_threshold_triggered') {
    event.noise_level_decibels = Math.round(50 + prng.next() * 50)
  }
}

/** Write `count` generated events as JSONL; resolves to the bytes written. Streams: never builds the file in memory. */
export async function writeEventsJsonl(
  file: string,
  count: number,
  options: EventOptions = {},
): Promise<number> {
  const out = createWriteStream(file)
  let bytes = 0
  let chunk = ''
  for (const event of generateEvents(count, options)) {
    chunk += JSON.stringify(event) + '\n'
    if (chunk.length > 1 << 20) {
      bytes += chunk.length
      if (!out.write(chunk)) await once(out, 'drain')
      chunk = ''
    }
  }
  bytes += chunk.length
  out.end(chunk)
  await once(out, 'finish')
  return bytes
}
