import { ownMap } from '../src/frozen.js'
import type { State } from '../src/state/state-schema.js'
import { deviceId } from './generate.js'

const T0 = Date.parse('2026-01-05T00:00:00.000Z')
const iso = (ms: number): string => new Date(ms).toISOString()
const RULES_PER_DEVICE = ['access-denied-burst', 'lock-activity-window'] as const

/**
 * The state file of a workspace with `devices` devices.
 * - `typical`: per device a cached name, one window of two entries and one throttle; every 10th device offline
 *   (an absence timer holding its opening event, an open incident and its Slack thread); one seen event id per
 *   device (at 10k devices: 10k ids, a 5-minute lookback at ~33 events/s).
 * - `busiest`: every device busy at once: two windows of three entries, an absence timer, a throttle, an open
 *   incident with its thread, a cached name and five seen ids per device.
 */
export function buildState(devices: number, shape: 'typical' | 'busiest' = 'typical'): State {
  const busiest = shape === 'busiest'
  const state: State = {
    version: 1,
    source: { cursor: iso(T0 + 3_600_000), seen: {} },
    rules: { clock: T0 + 3_600_000, windows: {}, timers: {}, throttles: {}, incidents: {} },
    outbox: [],
    deadLetters: [],
    sent: [],
    silences: [],
    history: [],
    noise: { open: {}, heldFires: {}, held: {} },
    threads: {},
    devices: {},
    digests: {},
    monitor: {},
    updatedAt: T0 + 3_600_000,
  }
  const { windows, timers, throttles, incidents } = state.rules
  for (const rule of RULES_PER_DEVICE) windows[rule] = {}
  timers['device-offline'] = {}
  throttles['low-battery'] = {}
  incidents['device-offline'] = {}
  for (let d = 0; d < devices; d++) {
    const id = deviceId(d)
    const group = JSON.stringify([id]) // groupKey of `groupBy: ["device_id"]`
    const at = T0 + d * 97
    for (const rule of busiest ? RULES_PER_DEVICE : RULES_PER_DEVICE.slice(0, 1)) {
      const entries = busiest ? [0, 1, 2] : [0, 1]
      windows[rule]![group] = entries.map((k) => ({
        event_id: `evt_${d}_${rule.length}_${k}`,
        at: at + k * 1000,
      }))
    }
    throttles['low-battery']![group] = { lastFireAt: at, suppressed: d % 4 }
    state.devices[id] = { name: `Front door ${d}`, fetchedAt: at }
    for (let k = 0; k < (busiest ? 5 : 1); k++) state.source.seen[`evt_${d}_seen_${k}`] = at + k
    if (!busiest && d % 10 !== 0) continue
    timers['device-offline']![group] = {
      event_id: `evt_${d}_disc`,
      group: { device_id: id },
      openedAt: at,
      deadline: at + 900_000,
      event: {
        event_id: `evt_${d}_disc`,
        event_type: 'device.disconnected',
        device_id: id,
        workspace_id: 'ws_0001',
        created_at: iso(at + 400),
        occurred_at: iso(at),
        connected_account_id: `ca_${d % 200}`,
      },
    }
    incidents['device-offline']![group] = { firedAt: at, event_id: `evt_${d}_fire` }
    state.threads[`device-offline|${JSON.stringify({ device_id: id })}`] = {
      slack: { '#ops': { channel: 'C0123456', ts: `${Math.floor(at / 1000)}.000${d % 1000}` } },
      email: {},
      firedAt: at,
    }
  }
  return state
}

/** How much of the state one poll cycle changes (see churn). */
export type CycleLoad = 'typical' | 'heavy'

/**
 * One poll cycle's worth of changes, made as the daemon makes them (records replaced; a shared map copied before it
 * is written, with ownMap). At the default `pollInterval: 30s` and the ~33 events/s of a 10k-device workspace, a
 * cycle holds about 1,000 events: one per ten devices. Every event adds a seen id (the source replaces the seen map,
 * the oldest ids dropped) and a window entry to its device's group (as a rule like lock-activity-window does for
 * the lock events most traffic is; the fixture files it under one windowed rule).
 * - `typical`: alerts are rare: one every 30 cycles (about 100 a day), which replaces its throttle and caches its
 *   device's name (names are fetched for alerted devices only, and stay fresh a day). Most cycles have none.
 * - `heavy`: an alert storm: one event in four fires and one in ten refreshes a name, every cycle.
 */
export function churn(state: State, devices: number, cycle: number, load: CycleLoad = 'typical'): void {
  const events = Math.max(1, Math.round(devices / 10))
  const fires = (e: number) => (load === 'heavy' ? e % 4 === 0 : e === 0 && cycle % 30 === 0)
  const names = (e: number) => (load === 'heavy' ? e % 10 === 0 : e === 0 && cycle % 30 === 0)
  const now = T0 + 3_600_000 + cycle * 30_000
  const windows = ownMap(state.rules.windows, 'access-denied-burst')
  const seen: Record<string, number> = {}
  const ids = Object.keys(state.source.seen)
  for (const id of ids.slice(events)) seen[id] = state.source.seen[id]!
  for (let e = 0; e < events; e++) {
    const d = (cycle * events + e * 7) % devices
    const group = JSON.stringify([deviceId(d)])
    const entries = windows[group] ?? []
    windows[group] = [...entries.slice(-1), { event_id: `evt_c${cycle}_${e}`, at: now + e }]
    if (fires(e)) ownMap(state.rules.throttles, 'low-battery')[group] = { lastFireAt: now + e, suppressed: 0 }
    if (names(e)) ownMap(state, 'devices')[deviceId(d)] = { name: `Front door ${d}`, fetchedAt: now }
    seen[`evt_c${cycle}_${e}`] = now + e
  }
  state.source = { ...state.source, cursor: iso(now), seen }
  state.rules.clock = now
  state.updatedAt = now
}
