import { hasEnvReference } from '../env-expand.js'
import { mayHoldSecret } from '../secrets/definition.js'

/**
 * May an input error echo this value back (`, got "30 s"`)? Never for a value under a key that may hold a
 * secret, and never for one that came from `${ENV}` (`written` is the value as written in the file, before
 * expansion). The one decision input validation makes about echoing values.
 */
export function mayEchoValue(path: readonly PropertyKey[], written: unknown): boolean {
  if (mayHoldSecret(path)) return false
  return !(typeof written === 'string' && hasEnvReference(written))
}
