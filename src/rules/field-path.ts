const hasOwn = Object.prototype.hasOwnProperty

/**
 * The value of a field of an event, or of a dotted path into its object fields (`"device_custom_metadata.site"`);
 * null when any step is missing, null or not a plain object. Only own properties are read (never the prototype),
 * so `"constructor"` or `"__proto__"` are just missing fields.
 */
export function fieldValue(event: Record<string, unknown>, path: string): unknown {
  if (hasOwn.call(event, path)) return event[path] ?? null
  if (path.indexOf('.') < 0) return null
  let value: unknown = event
  for (const step of path.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return null
    if (!hasOwn.call(value, step)) return null
    value = (value as Record<string, unknown>)[step]
  }
  return value ?? null
}
