import type { Config } from '../config.js'
import { type InputIssue, jsonPath } from '../errors.js'
import { ACTION_SECRETS, CONFIG_ACTION_LISTS, CONFIG_SECRETS, type SecretKind } from './definition.js'
import { rememberSecrets } from './scrub.js'

/** One secret found in a config or an action: where (zod-style path), how it is held, and its value. */
export interface FoundSecret {
  at: PropertyKey[]
  kind: SecretKind
  value: string
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object'

/** Every value at a dotted path (`*` = each array item or map value), with its concrete path. */
function valuesAt(root: unknown, dotted: string): { at: PropertyKey[]; value: unknown }[] {
  let found: { at: PropertyKey[]; value: unknown }[] = [{ at: [], value: root }]
  for (const part of dotted.split('.')) {
    const next: typeof found = []
    for (const { at, value } of found) {
      if (!isRecord(value)) continue
      if (part !== '*') {
        if (Object.hasOwn(value, part)) next.push({ at: [...at, part], value: value[part] })
        continue
      }
      const entries = Array.isArray(value)
        ? value.map((item, index) => [index, item] as const)
        : Object.entries(value)
      for (const [key, item] of entries) next.push({ at: [...at, key], value: item })
    }
    found = next
  }
  return found
}

/** The string(s) a field of `kind` holds: one, or every value of a header map. */
function stringsOf(kind: SecretKind, at: PropertyKey[], value: unknown): FoundSecret[] {
  if (kind === 'header-values') {
    if (!isRecord(value)) return []
    return Object.entries(value).flatMap(([name, item]) =>
      typeof item === 'string' && item !== '' ? [{ at: [...at, name], kind, value: item }] : [],
    )
  }
  if (typeof value !== 'string' || value === '') return []
  // A setting that is a secret only when it is a URL with a password (`state`: a file path, or a database URL).
  if (kind === 'url-password' && !hasUrlPassword(value)) return []
  return [{ at, kind, value }]
}

function hasUrlPassword(value: string): boolean {
  try {
    return new URL(value).password !== ''
  } catch {
    return false
  }
}

/** The secrets of one action (by its `type`), under the path `at`. */
export function actionSecrets(action: unknown, at: PropertyKey[] = []): FoundSecret[] {
  if (!isRecord(action) || typeof action.type !== 'string') return []
  const fields = ACTION_SECRETS[action.type] ?? {}
  return Object.entries(fields).flatMap(([field, kind]) =>
    Object.hasOwn(action, field) ? stringsOf(kind, [...at, field], action[field]) : [],
  )
}

/** Every secret a config holds: its secret keys and the secret fields of its action lists. */
export function configSecrets(config: Config | Record<string, unknown>): FoundSecret[] {
  const found: FoundSecret[] = []
  for (const [path, kind] of Object.entries(CONFIG_SECRETS))
    for (const { at, value } of valuesAt(config, path)) found.push(...stringsOf(kind, at, value))
  for (const list of CONFIG_ACTION_LISTS)
    for (const { at, value } of valuesAt(config, `${list}.*`)) found.push(...actionSecrets(value, at))
  return found
}

/** An action as it may be stored in the state: without its secret fields (re-resolved at send time). */
export function stripActionSecrets(action: { type: string }): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...action }
  for (const field of Object.keys(ACTION_SECRETS[action.type] ?? {})) delete copy[field]
  return copy
}

/** C0 and C1 controls, DEL, and the Unicode line and paragraph separators. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g
const CONTROL_NAMES: Record<string, string> = { '\t': 'TAB', '\n': 'LF', '\r': 'CR', '\u0000': 'NUL' }
const controlName = (char: string) =>
  CONTROL_NAMES[char] ?? `U+${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`

/**
 * An issue for every secret with a control character in it (a pasted line break, a trailing newline from a
 * file): in an HTTP header it is an injection, and an HTTP client's error would echo it whole. The message
 * names the path and the kind of character, never the value.
 */
export function controlCharIssues(found: readonly FoundSecret[], file: string): InputIssue[] {
  const issues: InputIssue[] = []
  for (const secret of found) {
    const chars = [...new Set(secret.value.match(CONTROL) ?? [])]
    if (chars.length === 0) continue
    issues.push({
      file,
      path: jsonPath(secret.at),
      message: `this secret contains a control character (${chars.map(controlName).join(', ')}); a secret must be one line of printable text (check the file or the environment variable it comes from for a line break)`,
    })
  }
  return issues
}

/** Issues of both, once per path: what was written (before zod trims a URL) and what was parsed (env fallbacks). */
function unionIssues(written: FoundSecret[], parsed: FoundSecret[], file: string): InputIssue[] {
  const issues = controlCharIssues([...written, ...parsed], file)
  return issues.filter((issue, index) => issues.findIndex((other) => other.path === issue.path) === index)
}

/**
 * The secrets step of config validation (InputFormat.secrets): an issue for every secret with a control
 * character, naming its path (never its value); with none, the secrets are remembered, so every log line,
 * /healthz reason, dead letter and state write of this process is scrubbed of them (scrub.ts). `written` is the
 * config as written (after `${ENV}`): zod trims URLs and strips their line breaks, and a secret written with one
 * is rejected all the same. `SEAM_API_KEY` counts as `seam.apiKey` when the file has none.
 */
export function configSecretIssues(
  written: unknown,
  config: Config,
  file: string,
  env: NodeJS.ProcessEnv,
): InputIssue[] {
  const parsed = configSecrets(config)
  if (!config.seam.apiKey && env.SEAM_API_KEY)
    parsed.push({ at: ['seam', 'apiKey'], kind: 'token', value: env.SEAM_API_KEY })
  const issues = unionIssues(isRecord(written) ? configSecrets(written) : [], parsed, file)
  if (issues.length === 0) rememberSecrets(parsed)
  return issues
}

const listSecrets = (actions: unknown, at: PropertyKey[]): FoundSecret[] =>
  Array.isArray(actions) ? actions.flatMap((action, index) => actionSecrets(action, [...at, index])) : []

/**
 * The same for a list of actions (a rule file's `actions`, `test-notify --action`), as written (`${ENV}`
 * expanded) and as parsed: the issues to report; the parsed secrets are remembered when there are none.
 */
export function checkActionSecrets(
  written: unknown,
  parsed: readonly unknown[] | undefined,
  at: PropertyKey[],
  file: string,
): InputIssue[] {
  const found = listSecrets(parsed, at)
  const issues = unionIssues(listSecrets(written, at), found, file)
  if (issues.length === 0) rememberSecrets(found)
  return issues
}
