import { errorMessage } from '../errors.js'
import type { Logger } from '../log.js'

/**
 * One part of the running daemon. A new component (an API server, a Socket Mode client, a leader lease) plugs in
 * with one call in startDaemon, and nothing else:
 *
 *   ctx.lifecycle.add({ name: 'api', start: () => api.listen(), stop: () => api.close() })
 *
 * `start` runs once every component is built, in registration order. `stop` runs on shutdown in reverse order, so
 * a component stops before the components it was built from (the state, registered first, closes last). Work in
 * flight ends on `ctx.signal`, aborted when shutdown begins; a stop that may wait bounds itself (`bounded`).
 */
export interface Component {
  /** Named in the log line when its stop fails. */
  name: string
  start?: () => void | Promise<void>
  stop?: () => void | Promise<void>
}

/** The daemon's components: started in registration order, stopped in reverse (Alertmanager's onStop stack). */
export class Lifecycle {
  readonly #components: Component[] = []
  readonly #abort = new AbortController()
  #stopping: Promise<void> | undefined

  constructor(private readonly logger: Logger) {}

  /** Aborted when shutdown begins: fetches, backoffs and other waits end at once. */
  get signal(): AbortSignal {
    return this.#abort.signal
  }

  add(component: Component): void {
    this.#components.push(component)
  }

  /** Start the components in registration order (a failure propagates: the caller stops what was added). */
  async start(): Promise<void> {
    for (const component of this.#components) await component.start?.()
  }

  /** Ask for a stop: abort `signal`, so work in flight ends (stop() does this first too). */
  abort(): void {
    this.#abort.abort()
  }

  /**
   * Abort `signal`, then stop every component, last added first. A stop that throws is logged and the others
   * still stop. Idempotent: every call returns the same promise.
   */
  stop(): Promise<void> {
    this.#stopping ??= this.#unwind()
    return this.#stopping
  }

  async #unwind(): Promise<void> {
    this.abort()
    for (const component of [...this.#components].reverse()) {
      try {
        await component.stop?.()
      } catch (error) {
        const name = component.name
        this.logger.error({ component: name, err: errorMessage(error) }, `stopping ${name} failed`)
      }
    }
  }
}

/** Wait for `work`, but no longer than `ms`: shutdown never hangs on one component. */
export async function bounded(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms)
    timer.unref()
  })
  await Promise.race([work, timeout])
  clearTimeout(timer)
}
