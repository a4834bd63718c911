import { familyOf, typesByTraffic } from './event-types.js'
import { ACCOUNTS, accountId, DEVICES, deviceId, SITES, WORKSPACES } from './generate.js'
import { createPrng, type Prng } from './prng.js'

/** A json-rules-engine leaf condition as written in a rule file. */
export interface LeafCondition {
  fact: string
  operator: string
  value: unknown
  path?: string
}
export type Condition = LeafCondition | { all: Condition[] } | { any: Condition[] } | { not: Condition }

/** A rule as written in a `rules/*.json` file (the public format of issue 3). */
export interface RuleFile {
  id: string
  description: string
  eventTypes: string[]
  conditions: { all: Condition[] }
  groupBy: string[]
  window?: { count: number; within: string; distinct?: string }
  firstSeen?: { fields: string[]; remember: string; learnFor?: string }
  spike?: { within: string; factor: number; minCount: number; minReference?: number }
  throttle?: string
  actions: Array<{ type: 'console' }>
}

type Template = (prng: Prng) => LeafCondition

/** Conditions that let a small share of events through (the first condition of every rule). */
const DEVICE_SELECTIVE: Template[] = [
  (p) => ({
    fact: 'device_custom_metadata',
    path: '$.site',
    operator: 'equal',
    value: `site-${p.int(SITES)}`,
  }),
  (p) => ({
    fact: 'connected_account_id',
    operator: 'in',
    value: Array.from({ length: 5 }, () => accountId(p.int(ACCOUNTS))),
  }),
  (p) => ({
    fact: 'device_id',
    operator: 'in',
    value: Array.from({ length: 8 }, () => deviceId(p.int(DEVICES))),
  }),
]

/** Looser conditions for the optional second condition. */
const DEVICE_LOOSE: Template[] = [
  (p) => ({ fact: 'device_id', operator: 'notEqual', value: deviceId(p.int(DEVICES)) }),
  (p) => ({ fact: 'workspace_id', operator: 'equal', value: p.pick(WORKSPACES) }),
  (p) => ({ fact: 'device_custom_metadata', path: '$.floor', operator: 'lessThan', value: 2 + p.int(4) }),
]

interface Templates {
  selective: Template[]
  loose: Template[]
}

const LOCK: Templates = {
  selective: DEVICE_SELECTIVE,
  loose: [
    ...DEVICE_LOOSE,
    (p) => ({ fact: 'method', operator: 'in', value: p.next() < 0.5 ? ['keycode', 'manual'] : ['keycode'] }),
    (p) => ({ fact: 'method', operator: 'notEqual', value: p.pick(['automatic', 'seamapi']) }),
  ],
}

const TYPE_SELECTIVE: Record<string, Template[]> = {
  'device.low_battery': [
    (p) => ({ fact: 'battery_level', operator: 'lessThan', value: 0.05 + p.int(3) / 20 }),
  ],
  'device.battery_status_changed': [() => ({ fact: 'battery_status', operator: 'in', value: ['critical'] })],
  'noise_sensor.noise_threshold_triggered': [
    (p) => ({ fact: 'noise_level_decibels', operator: 'greaterThanInclusive', value: 80 + p.int(15) }),
  ],
}

function templatesFor(type: string): Templates {
  if (type === 'lock.locked' || type === 'lock.unlocked') return LOCK
  if (type.startsWith('thermostat.')) {
    return {
      selective: [(p) => ({ fact: 'temperature_celsius', operator: 'greaterThan', value: 28 + p.int(5) })],
      loose: DEVICE_LOOSE,
    }
  }
  const family = familyOf(type)
  if (family === 'device') return { selective: TYPE_SELECTIVE[type] ?? DEVICE_SELECTIVE, loose: DEVICE_LOOSE }
  if (family === 'account') {
    const account: Template = (p) => ({
      fact: 'connected_account_id',
      operator: 'notEqual',
      value: accountId(p.int(ACCOUNTS)),
    })
    return { selective: [account], loose: [account] }
  }
  const workspace: Template = (p) => ({ fact: 'workspace_id', operator: 'equal', value: p.pick(WORKSPACES) })
  return { selective: [workspace], loose: [workspace] }
}

/**
 * `count` rules spread over the event types (busiest first, then round-robin), each pinned to one type with 1–2
 * extra conditions over fields every event of that type carries: a selective one (a site, a few accounts, a
 * threshold) and, for half of them, a looser one. About 30% have a window, 30% a throttle.
 */
export function generateRules(count: number, seed = 7): RuleFile[] {
  const prng = createPrng(seed)
  const types = typesByTraffic()
  const rules: RuleFile[] = []
  for (let i = 0; i < count; i++) {
    const type = types[i % types.length]!
    const { selective, loose } = templatesFor(type)
    const conditions: Condition[] = [selective[prng.int(selective.length)]!(prng)]
    if (prng.next() < 0.5) conditions.push(loose[prng.int(loose.length)]!(prng))
    const kind = prng.next()
    const rule: RuleFile = {
      id: `bench-${String(i).padStart(4, '0')}`,
      description: `Synthetic rule ${i} on ${type}`,
      eventTypes: [type],
      conditions: { all: conditions },
      groupBy: familyOf(type) === 'device' ? ['device_id'] : ['workspace_id'],
      actions: [{ type: 'console' }],
    }
    if (kind < 0.3) rule.window = { count: 2 + prng.int(4), within: '10m' }
    if (kind >= 0.15 && kind < 0.45) rule.throttle = prng.pick(['5m', '30m', '1h'])
    rules.push(rule)
  }
  return rules
}

/**
 * The same rules with a quarter of them turned into fleet kinds (docs/fleet-rules.md), each on its own rule:
 * distinct-count windows grouped by site, first-seen on (device, access code) or (device), and rate spikes per
 * workspace. The rule count stays `count`, so the eval section compares like with like.
 */
export function generateFleetRules(count: number, seed = 7): RuleFile[] {
  return generateRules(count, seed).map((rule, i) => {
    if (i % 4 !== 1) return rule
    const { window: _window, ...plain } = rule
    const kind = Math.floor(i / 4) % 3
    if (kind === 0)
      return {
        ...plain,
        groupBy: ['device_custom_metadata.site'],
        window: { count: 3, within: '10m', distinct: 'device_id' },
      }
    if (kind === 1) {
      const lock = rule.eventTypes[0] === 'lock.locked' || rule.eventTypes[0] === 'lock.unlocked'
      return {
        ...plain,
        firstSeen: { fields: lock ? ['device_id', 'access_code_id'] : ['device_id'], remember: '90d' },
      }
    }
    return { ...plain, groupBy: ['workspace_id'], spike: { within: '1h', factor: 3, minCount: 10 } }
  })
}
