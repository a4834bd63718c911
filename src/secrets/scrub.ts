import type { SecretKind } from './definition.js'

/** What a secret is replaced with, in log lines (pino's censor too), /healthz, dead letters and the state. */
export const REDACTED = '[redacted]'

/**
 * Shorter values are not scrubbed: replacing every `abc` in every log line would mangle the output and hide
 * nothing a real credential needs hidden. (An API key, token, password or webhook URL is far longer.)
 */
export const MIN_SCRUB_LENGTH = 4

/** The texts a secret is known by: the value itself and, for a URL, its normalized form, path and password. */
function valuesOf(kind: SecretKind, value: string): string[] {
  if (kind === 'token' || kind === 'header-values') return [value]
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return kind === 'url' ? [value] : []
  }
  const password = url.password ? [url.password, safeDecode(url.password)] : []
  if (kind === 'url-password') return password
  const path = `${url.pathname}${url.search}`
  return [value, url.href, ...(path.length >= 8 ? [path] : []), ...password]
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/** How a value can appear in text: as is, JSON-escaped (once, or inside JSON in JSON), URL-encoded. */
function formsOf(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1)
  return [value, json, JSON.stringify(json).slice(1, -1), encodeURIComponent(value)]
}

/**
 * The configured secret values of this process and every form they can appear in. Secrets are remembered when
 * a config, rule file or `--action` is validated (fields.ts); every choke point where error text leaves the
 * process (the logger, /healthz, dead letters, the state file, the CLI's error lines) scrubs through here.
 */
class SecretRegistry {
  private readonly values = new Set<string>()
  /** Longest first, so a URL goes whole before its path does. */
  private forms: string[] = []
  /** Bumped whenever a secret is added (the state screen's "already clean" cache is per generation). */
  generation = 0

  remember(found: Iterable<{ kind: SecretKind; value: string }>): void {
    const before = this.values.size
    for (const { kind, value } of found)
      for (const text of valuesOf(kind, value)) if (text.length >= MIN_SCRUB_LENGTH) this.values.add(text)
    if (this.values.size === before) return
    const forms = new Set([...this.values].flatMap(formsOf))
    this.forms = [...forms].sort((a, b) => b.length - a.length)
    this.generation++
  }

  /** Does `text` hold a configured secret, in any form? */
  contains(text: string): boolean {
    for (const form of this.forms) if (text.includes(form)) return true
    return false
  }

  /** `text` with every configured secret, in any form, replaced by [redacted]. */
  scrub(text: string): string {
    let out = text
    for (const form of this.forms) if (out.includes(form)) out = out.split(form).join(REDACTED)
    return out
  }
}

const registry = new SecretRegistry()

/** Remember secret values (with their kind) so they are scrubbed from everything this process writes out. */
export const rememberSecrets = (found: Iterable<{ kind: SecretKind; value: string }>): void =>
  registry.remember(found)

/** `text` with every configured secret value (raw, JSON-escaped, URL-encoded) replaced by [redacted]. */
export const scrubSecrets = (text: string): string => registry.scrub(text)

/** Does `text` contain a configured secret value in any form? */
export const containsSecret = (text: string): boolean => registry.contains(text)

/** Is any secret known yet? */
export const hasSecrets = (): boolean => registry.generation > 0

/** Changes whenever a secret is added. */
export const secretsGeneration = (): number => registry.generation

/**
 * A copy of a JSON value with every string (and key) scrubbed: for structured data that must not carry a secret
 * (a state about to be written). Scrubbing the serialized text instead could cut through JSON syntax.
 */
export function scrubDeep(value: unknown): unknown {
  if (typeof value === 'string') return registry.scrub(value)
  if (value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map(scrubDeep)
  const out: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value)) out[registry.scrub(key)] = scrubDeep(item)
  return out
}

/**
 * One JSON log line (pino's, ending in a newline) with every configured secret scrubbed from its strings. Only a
 * line that holds one is parsed: scrubbing the text itself could cut through a number (a short numeric password
 * inside a timestamp) and leave a line that is no longer JSON.
 */
export function scrubJsonLine(line: string): string {
  if (!registry.contains(line)) return line
  try {
    return `${JSON.stringify(scrubDeep(JSON.parse(line)))}\n`
  } catch {
    return registry.scrub(line)
  }
}
