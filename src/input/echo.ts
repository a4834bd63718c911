import { hasEnvReference } from '../env-expand.js'

/**
 * Key names under which a value may be a secret (URLs carry tokens: webhook URLs, endpoints with credentials).
 * TODO(lead): merge with the secrets module (issue 11 item 4); this is the only place input validation asks.
 */
const SECRET_PATH = /url|endpoint|token|pass|apikey|secret|auth/i

/**
 * May an input error echo this value back (`, got "30 s"`)? Never for a value under a key that may hold a
 * secret, and never for one that came from `${ENV}` (`written` is the value as written in the file, before
 * expansion). The one decision input validation makes about echoing values.
 */
export function mayEchoValue(path: readonly PropertyKey[], written: unknown): boolean {
  if (path.some((key) => typeof key === 'string' && SECRET_PATH.test(key))) return false
  return !(typeof written === 'string' && hasEnvReference(written))
}
