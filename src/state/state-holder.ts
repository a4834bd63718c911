import { errorMessage, SeamAlertsError } from '../errors.js'
import type { Logger } from '../log.js'
import { stateJson } from './state-json.js'
import { draftOf } from './state-layout.js'
import type { State } from './state-schema.js'
import type { StateAccess, Store } from './store.js'

export interface StateHolderOptions {
  /** The state of a fresh start (no file yet). */
  initial: () => State
  logger: Logger
  /** Called after every successful save with its duration (serializing and writing; the draft excluded) and size. */
  onWrite?: (ms: number, bytes: number) => void
  /** Called after every failed save (for a metric or a health flag). */
  onWriteError?: (error: unknown) => void
}

/**
 * The live state shared by the daemon's loops. Updates run one at a time in call order: each works on a draft
 * of the current state, the draft is saved, and only then adopted. A failed save rejects the update and leaves
 * the last durable state in charge; the next update writes again (the caller decides when).
 *
 * A draft (state-layout.ts `draftOf`) has its own copies of the small maps and lists, and shares the records and
 * the big maps (a rule's groups, device names, threads) with the current state. Those are frozen (serializing
 * them with `stateJson` froze them), so a draft can never change the last durable state: code replaces a record
 * it changes, and takes a writable copy of a big map before writing to it (`ownMap`). A draft costs a copy of the
 * small parts, not a deep copy of everything, and `stateJson` reuses the text of every record and big map the
 * update did not touch.
 */
export class StateHolder implements StateAccess {
  private state: State
  private chain: Promise<unknown> = Promise.resolve()
  private closed = false
  /** True while the last save failed: what is on disk is the current state, but writing is in trouble. */
  writeFailing = false

  private constructor(
    private readonly store: Store,
    initial: State,
    private readonly opts: StateHolderOptions,
  ) {
    this.state = initial
  }

  /** Load the stored state (STATE_CORRUPT propagates: never start from scratch over a damaged file). */
  static async open(store: Store, opts: StateHolderOptions): Promise<StateHolder> {
    const loaded = await store.load()
    if (!loaded) opts.logger.info('no saved state: starting fresh')
    const state = loaded ?? opts.initial()
    stateJson(state) // freezes its records (and caches their text) before the first draft shares them
    return new StateHolder(store, state, opts)
  }

  current(): State {
    return this.state
  }

  /** `mutate` may also return a promise; it is awaited before the save. */
  update<T>(mutate: (draft: State) => T): Promise<T> {
    const run = this.chain.then(() => this.apply(mutate))
    this.chain = run.catch(() => {})
    return run
  }

  private async apply<T>(mutate: (draft: State) => T): Promise<T> {
    if (this.closed) throw new SeamAlertsError('STATE_WRITE_FAILED', 'the state is closed')
    const draft = draftOf(this.state)
    const result = (await mutate(draft)) as T
    const started = performance.now()
    try {
      await this.store.save(draft, stateJson(draft))
    } catch (error) {
      this.writeFailing = true
      this.opts.logger.error(
        { err: errorMessage(error) },
        'STATE NOT SAVED: keeping the last durable state; the work of this update will be redone on the next one',
      )
      this.opts.onWriteError?.(error)
      throw error
    }
    if (this.writeFailing) this.opts.logger.warn('state saved again after earlier failures')
    this.writeFailing = false
    this.state = draft
    this.opts.onWrite?.(performance.now() - started, this.store.lastSaveBytes ?? 0)
    return result
  }

  /** Wait until every queued update has finished (successfully or not). */
  async flush(): Promise<void> {
    let seen: Promise<unknown>
    do {
      seen = this.chain
      await seen
    } while (seen !== this.chain)
  }

  /** Finish queued updates, refuse new ones, release the store (and its lock). */
  async close(): Promise<void> {
    await this.flush()
    this.closed = true
    await this.store.close()
  }
}
