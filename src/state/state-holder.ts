import { SeamAlertsError } from '../errors.js'
import type { Logger } from '../log.js'
import type { State } from './state-schema.js'
import type { StateAccess, Store } from './store.js'

export interface StateHolderOptions {
  /** The state of a fresh start (no file yet). */
  initial: () => State
  logger: Logger
  /** Called after every successful save with its duration (clone excluded) and size. */
  onWrite?: (ms: number, bytes: number) => void
  /** Called after every failed save (for a metric or a health flag). */
  onWriteError?: (error: unknown) => void
}

/**
 * The live state shared by the daemon's loops. Updates run one at a time in call order: each works on a deep
 * copy of the current state, the copy is saved, and only then adopted. A failed save rejects the update and
 * leaves the last durable state in charge; the next update writes again (the caller decides when).
 *
 * The copy is `JSON.parse` of the text of the save that produced the current state (Store.lastText), about
 * twice as fast as structuredClone on a large state; structuredClone is the fallback while that text is not
 * known (right after load: zod defaults may differ from the file's text; or a store without lastText).
 */
export class StateHolder implements StateAccess {
  private state: State
  /** `JSON.stringify(this.state)` when known (from the save that produced it), else undefined. */
  private text: string | undefined
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
    return new StateHolder(store, loaded ?? opts.initial(), opts)
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
    const draft = this.text === undefined ? structuredClone(this.state) : (JSON.parse(this.text) as State)
    const result = (await mutate(draft)) as T
    const started = performance.now()
    try {
      await this.store.save(draft)
    } catch (error) {
      this.writeFailing = true
      this.opts.logger.error(
        { err: error instanceof Error ? error.message : String(error) },
        'STATE NOT SAVED: keeping the last durable state; the work of this update will be redone on the next one',
      )
      this.opts.onWriteError?.(error)
      throw error
    }
    if (this.writeFailing) this.opts.logger.warn('state saved again after earlier failures')
    this.writeFailing = false
    this.state = draft
    // The holder is the store's only writer and the store sets lastText before `save` resolves, so this is
    // the text of `draft` (or undefined for a store that does not keep it).
    this.text = this.store.lastText
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
