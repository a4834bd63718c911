import type { Escape } from './escape.js'

const PLACEHOLDER = /\{\{\s*([\w.-]+)\s*\}\}/g

/** Read `a.b.c` from a nested object; anything missing is undefined. */
export function lookupPath(root: unknown, path: string): unknown {
  let value: unknown = root
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined
    if (!Object.hasOwn(value, key)) return undefined
    value = (value as Record<string, unknown>)[key]
  }
  return value
}

/** The text a value renders as: strings as is, numbers/booleans via String, objects as JSON, missing as ''. */
export function valueText(value: unknown): string {
  if (value === undefined || value === null) return ''
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value)
  try {
    return JSON.stringify(value) ?? ''
  } catch {
    return ''
  }
}

/**
 * Fill `{{field}}` placeholders from `context`. The template itself is the rule author's (trusted, may use
 * mrkdwn); every substituted value goes through `esc` for the target. A missing field renders as ''.
 */
export function renderTemplate(template: string, context: Record<string, unknown>, esc: Escape): string {
  return template.replace(PLACEHOLDER, (_match, path: string) => esc(valueText(lookupPath(context, path))))
}
