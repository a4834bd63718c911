import type { Logger } from '../../log.js'
import { terminalSafe } from '../../terminal-text.js'

export const STORE_DOWN_ALERT = 'seam-alerts.monitor:store-down'

/**
 * The meta-alert for a PostgreSQL store that cannot be reached: logged (and printed on the console when
 * `console` is on) once per outage, with one recovery line when it answers again. It never goes through the
 * outbox: the outbox lives in the store that failed.
 */
export class StoreDownAlert {
  #since: number | undefined

  constructor(
    private readonly opts: {
      logger: Logger
      /** `host:port/database` (never the password). */
      target: string
      /** When set (config `console`), the alert and its recovery are also printed here. */
      console?: NodeJS.WritableStream | undefined
      now?: () => number
    },
  ) {}

  get down(): boolean {
    return this.#since !== undefined
  }

  failed(reason: string): void {
    if (this.#since !== undefined) return
    const now = this.opts.now?.() ?? Date.now()
    this.#since = now
    const text = `the PostgreSQL state store at ${this.opts.target} cannot be reached: ${reason}`
    this.opts.logger.error(
      { alert: STORE_DOWN_ALERT, kind: 'fire', store: this.opts.target, err: reason },
      `META-ALERT ${STORE_DOWN_ALERT}: ${text}; not polling or delivering until it answers (the outbox is kept there)`,
    )
    this.#print(`FIRING ${STORE_DOWN_ALERT}\n${text}\nsince ${new Date(now).toISOString()}`)
  }

  recovered(): void {
    const since = this.#since
    if (since === undefined) return
    this.#since = undefined
    const now = this.opts.now?.() ?? Date.now()
    const seconds = Math.round((now - since) / 1000)
    const text = `the PostgreSQL state store at ${this.opts.target} answers again (down ${seconds}s)`
    this.opts.logger.info(
      { alert: STORE_DOWN_ALERT, kind: 'resolve', store: this.opts.target, downSeconds: seconds },
      `META-ALERT RESOLVED ${STORE_DOWN_ALERT}: ${text}`,
    )
    this.#print(`RESOLVED ${STORE_DOWN_ALERT}\n${text}`)
  }

  #print(text: string): void {
    const line = '─'.repeat(60)
    this.opts.console?.write(terminalSafe(`${line}\n${text}\n${line}\n`))
  }
}
