import { SeamAlertsError } from '../errors.js'
import { findSecretKeys, findSecretValues } from '../secrets/state-screen.js'
import { type State, stateSchema } from './state-schema.js'
import type { Store } from './store.js'

/**
 * A Store in memory, for tests. Saves a serialized copy (the JSON the holder passes, as the file store writes
 * it), so later mutation of the saved object cannot leak in; checks for secret-named keys and configured
 * secret values (walking the whole state: stricter than the file store's targeted screen, and failing where the
 * file store would scrub), and can be told to fail writes.
 */
export class MemoryStore implements Store {
  private text: string | null
  /** When set, every save throws STATE_WRITE_FAILED with this reason (e.g. 'ENOSPC'). */
  failWith: string | undefined
  saves = 0
  lastSaveBytes: number | undefined
  closed = false

  constructor(initial?: State | null) {
    this.text = initial ? JSON.stringify(initial) : null
  }

  async load(): Promise<State | null> {
    return this.text === null ? null : stateSchema.parse(JSON.parse(this.text))
  }

  async save(state: State, json?: Buffer): Promise<void> {
    if (this.closed) throw new SeamAlertsError('STATE_WRITE_FAILED', 'memory store: closed')
    if (this.failWith) throw new SeamAlertsError('STATE_WRITE_FAILED', `memory store: ${this.failWith}`)
    const text = json === undefined ? JSON.stringify(state) : json.toString('utf8').trimEnd()
    const secrets = findSecretKeys(state, text)
    if (secrets.length > 0) {
      throw new SeamAlertsError(
        'STATE_WRITE_FAILED',
        `memory store: secret-like keys at ${secrets.join(', ')}`,
      )
    }
    const values = findSecretValues(state, text)
    if (values.length > 0) {
      throw new SeamAlertsError(
        'STATE_WRITE_FAILED',
        `memory store: configured secret values at ${values.join(', ')}`,
      )
    }
    this.text = text
    this.saves += 1
    this.lastSaveBytes = json?.length ?? Buffer.byteLength(text) + 1
  }

  /** What was last saved (a fresh copy). */
  saved(): State | null {
    return this.text === null ? null : (JSON.parse(this.text) as State)
  }

  async close(): Promise<void> {
    this.closed = true
  }
}
