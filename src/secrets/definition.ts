/**
 * THE definition of a secret in seam-alerts: which config keys and which action fields hold credentials. Every
 * other part derives from these tables: value scrubbing (scrub.ts), the control-character check and outbox
 * stripping (fields.ts), pino's redaction paths and the "never echo" rule of input errors (below), and the state
 * file screen (state-screen.ts). test/secrets/coverage.test.ts fails when a zod schema gains a field that looks
 * secret-bearing and is in neither CONFIG_SECRETS/ACTION_SECRETS nor NOT_SECRET.
 *
 * Adding a secret is one line. For example, the ones planned:
 *   'server.apiToken': 'token',            'slack.appToken': 'token',
 *   'store.postgres.url': 'url-password'
 */

/** How a secret is held: what counts as its value(s). */
export type SecretKind =
  /** The whole string (API key, bot token, password, routing key). */
  | 'token'
  /** A URL that is a credential as a whole (incoming webhooks, heartbeat pings): also its path and password. */
  | 'url'
  /** A URL whose password is the secret (`postgres://user:pw@host/db`): the password. */
  | 'url-password'
  /** A map of header name to value (custom webhook headers): every value. */
  | 'header-values'

/** Config key paths (dotted; `*` = any array index or map key) that hold a secret. */
export const CONFIG_SECRETS: Readonly<Record<string, SecretKind>> = {
  'seam.apiKey': 'token',
  'slack.token': 'token',
  'slack.appToken': 'token',
  'email.smtp.auth.pass': 'token',
  'server.apiToken': 'token',
  'heartbeat.url': 'url',
}

/** Config keys that hold lists of actions: their secrets are the ACTION_SECRETS of each action. */
export const CONFIG_ACTION_LISTS: readonly string[] = ['monitor.actions']

/** Per action `type`, the fields that hold a secret. Never stored in the state (see stripActionSecrets). */
export const ACTION_SECRETS: Readonly<Record<string, Readonly<Record<string, SecretKind>>>> = {
  slack: { webhookUrl: 'url' },
  pagerduty: { routingKey: 'token' },
  webhook: { url: 'url', secret: 'token', headers: 'header-values' },
  teams: { webhookUrl: 'url' },
}

/**
 * Fields whose names look secret-bearing but are not secret, and why. Keys are config paths, or
 * `action.<type>.<field>` for action fields.
 */
export const NOT_SECRET: Readonly<Record<string, string>> = {
  'slack.apiUrl': 'the Slack Web API base URL: the same public address for every workspace',
  'pagerduty.apiUrl': 'the PagerDuty Events API address: the same public URL for every account',
  'email.smtp.auth.user': 'the SMTP user name names the account; the password is the secret',
}

/** Names that hold credentials wherever they appear (HTTP headers, nodemailer's options, pasted configs). */
const GENERIC_SECRET_NAMES = ['password', 'authorization', 'secret']

/**
 * A field name that says "secret" by itself. Only such names are redacted and screened by name everywhere: a
 * field called `url` or `headers` is secret on a webhook action but not in general, so those are covered by
 * their values (scrub.ts) and by their place (stripActionSecrets), not by a name match all over the state.
 */
const SAYS_SECRET = /key|token|secret|pass|auth|webhook/i

/** Lowercase, without `_` and `-`: `api_key`, `API-KEY` and `apiKey` are one name. */
export const normalizeName = (name: string): string => name.toLowerCase().replace(/[_-]/g, '')

const leafOf = (path: string): string => path.slice(path.lastIndexOf('.') + 1)

/** Every field name that holds a secret, as written (apiKey, token, pass, webhookUrl, password, ...). */
export const SECRET_NAMES: readonly string[] = [
  ...new Set([
    ...Object.keys(CONFIG_SECRETS).map(leafOf),
    ...Object.values(ACTION_SECRETS).flatMap((fields) => Object.keys(fields)),
    ...GENERIC_SECRET_NAMES,
  ]),
].filter((name) => SAYS_SECRET.test(name))

const NORMALIZED = new Set(SECRET_NAMES.map(normalizeName))

/** Is this key name a secret's name (case-, `_`- and `-`-insensitive)? */
export const isSecretName = (key: string): boolean => NORMALIZED.has(normalizeName(key))

/**
 * A path an input error must never echo the value of: any key on it that is a secret's name, or that may
 * carry a credential (URLs and endpoints can embed one; headers and keys usually are one).
 */
const MAY_HOLD = /url|endpoint|token|pass|key|secret|auth|header|routing|webhook/i
export function mayHoldSecret(path: readonly PropertyKey[]): boolean {
  return path.some((key) => typeof key === 'string' && (MAY_HOLD.test(key) || isSecretName(key)))
}

/**
 * pino `redact` paths: every secret name at the top level and one level down, every secret config path with
 * its shorter tails (a logged `config`, `email`, `smtp` section), action fields in a logged action list, and
 * request headers. Values are scrubbed from every line as well (scrub.ts); these catch the unconfigured ones.
 */
export function redactPaths(): string[] {
  const paths = new Set<string>()
  for (const name of SECRET_NAMES) paths.add(name).add(`*.${name}`)
  for (const path of Object.keys(CONFIG_SECRETS)) {
    if (path.includes('*')) continue
    const parts = path.split('.')
    paths.add(`config.${path}`)
    for (let i = 0; i < parts.length - 1; i++) paths.add(parts.slice(i).join('.'))
    if (parts.length > 2) paths.add(`*.${parts.slice(-2).join('.')}`)
  }
  const actionFields = new Set(Object.values(ACTION_SECRETS).flatMap((fields) => Object.keys(fields)))
  for (const field of actionFields) {
    paths.add(`action.${field}`).add(`*.action.${field}`).add(`actions[*].${field}`)
    for (const list of CONFIG_ACTION_LISTS) paths.add(`${list}[*].${field}`).add(`config.${list}[*].${field}`)
  }
  for (const at of ['headers', '*.headers', 'req.headers']) paths.add(`${at}.authorization`)
  return [...paths]
}
