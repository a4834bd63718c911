import type { InputIssue } from './errors.js'
import { jsonPath } from './errors.js'

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g

/**
 * Replace `${NAME}` in every string of a parsed JSON value with the environment variable NAME.
 * A reference to a variable that is not set is reported as an issue (file, JSON path, variable), never left in place.
 * `$${NAME}` is an escape for a literal `${NAME}`.
 */
export function expandEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
  file: string,
  issues: InputIssue[],
  path: PropertyKey[] = [],
): unknown {
  if (typeof value === 'string') {
    return value.replace(/(\$?)\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (match, escaped: string, name: string) => {
      if (escaped) return match.slice(1)
      const found = env[name]
      if (found === undefined) {
        issues.push({ file, path: jsonPath(path), message: `environment variable ${name} is not set` })
        return ''
      }
      return found
    })
  }
  if (Array.isArray(value))
    return value.map((item, index) => expandEnv(item, env, file, issues, [...path, index]))
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    // defineProperty, not `out[key] =`: a "__proto__" key stays a plain key (validation rejects it) instead of
    // becoming the copy's prototype.
    for (const [key, item] of Object.entries(value))
      Object.defineProperty(out, key, {
        value: expandEnv(item, env, file, issues, [...path, key]),
        enumerable: true,
        writable: true,
        configurable: true,
      })
    return out
  }
  return value
}

export function hasEnvReference(text: string): boolean {
  REFERENCE.lastIndex = 0
  return REFERENCE.test(text)
}
