import type { Decision } from '../rules/decision.js'

/**
 * The flat string labels of one alert (fire or resolve), which silences and inhibition match on. The list and the
 * stringification rules are documented in docs/labels.md; keep the two in step.
 */
export type Labels = Readonly<Record<string, string>>

/** Event fields copied as labels when the event has them. */
export const EVENT_ID_LABELS = [
  'device_id',
  'connected_account_id',
  'access_code_id',
  'workspace_id',
] as const

/** The labels the alert itself sets; they win over a groupBy field or metadata key of the same name. */
export const RESERVED_LABELS = ['rule', 'kind', 'severity', 'event_type', 'device_name'] as const

export interface LabelContext {
  /** The rule's severity (`info`/`warning`/`critical`); a Decision does not carry it. */
  severity: string
  /** The device's display name when known (src/notify/device-names.ts). */
  deviceName?: string
}

/**
 * A label value: strings as they are, numbers and booleans as JSON prints them (`3`, `0.5`, `true`), objects and
 * arrays as compact JSON. null, undefined and the empty string give no label: Alertmanager treats an absent label
 * and an empty one alike, and so do the matchers here.
 */
export function labelValue(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined
  let text: string
  if (typeof value === 'string') text = value
  else if (typeof value === 'number') text = Number.isFinite(value) ? String(value) : ''
  else if (typeof value === 'boolean') text = value ? 'true' : 'false'
  else if (typeof value === 'object') text = JSON.stringify(value)
  else text = String(value)
  return text === '' ? undefined : text
}

const hasOwn = Object.prototype.hasOwnProperty
const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** `a.b.c` read through nested objects; an own property named exactly `a.b.c` is preferred. */
export function readPath(source: Record<string, unknown> | undefined, path: string): unknown {
  if (!source) return undefined
  if (hasOwn.call(source, path)) return source[path]
  let current: unknown = source
  for (const key of path.split('.')) {
    if (!isPlainObject(current) || !hasOwn.call(current, key)) return undefined
    current = current[key]
  }
  return current
}

/** `{site: "hq", floor: {n: 2}}` under `prefix` becomes `prefix.site=hq`, `prefix.floor.n=2`. */
function flatten(out: Record<string, string>, prefix: string, value: unknown, depth: number): void {
  if (isPlainObject(value) && depth < 8) {
    for (const key of Object.keys(value)) flatten(out, `${prefix}.${key}`, value[key], depth + 1)
    return
  }
  const text = labelValue(value)
  if (text !== undefined) out[prefix] = text
}

function put(out: Record<string, string>, name: string, value: unknown): void {
  const text = labelValue(value)
  if (text !== undefined) out[name] = text
}

/**
 * The labels of an alert, in this order (a later source wins on a name clash):
 * `device_custom_metadata.*` (flattened with dots), the event id fields, every groupBy field (from the decision's
 * group; a dotted field the group holds as null is read through the event), then the reserved labels
 * `rule`, `kind`, `severity`, `event_type` and `device_name`.
 */
export function alertLabels(decision: Decision, context: LabelContext): Labels {
  // No prototype: an event field or metadata key named `__proto__` is just a label.
  const out: Record<string, string> = Object.create(null)
  const event = decision.event as Record<string, unknown> | undefined
  const metadata = event?.['device_custom_metadata']
  if (isPlainObject(metadata)) {
    for (const key of Object.keys(metadata)) flatten(out, `device_custom_metadata.${key}`, metadata[key], 0)
  }
  for (const field of EVENT_ID_LABELS) put(out, field, event?.[field])
  for (const field of Object.keys(decision.group)) {
    const grouped = decision.group[field]
    put(out, field, grouped ?? (field.includes('.') ? readPath(event, field) : undefined))
  }
  put(out, 'rule', decision.rule)
  put(out, 'kind', decision.kind)
  put(out, 'severity', context.severity)
  put(out, 'event_type', event?.['event_type'])
  put(out, 'device_name', context.deviceName)
  return Object.freeze(out)
}
