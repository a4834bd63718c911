import { type ErrorCode, errorMessage, SeamAlertsError } from '../errors.js'
import type { Logger } from '../log.js'
import type { HealthTracker } from './health.js'

export type FailureKind = 'auth' | 'seam' | 'state' | 'other'

const KIND_OF_CODE: Partial<Record<ErrorCode, FailureKind | 'aborted'>> = {
  SEAM_AUTH: 'auth',
  SEAM_REQUEST: 'seam',
  STATE_WRITE_FAILED: 'state',
  ABORTED: 'aborted',
}

/**
 * How one failed cycle is classified, by error code: Seam unreachable, the state not saved, anything else, or
 * cancelled by shutdown (not a failure).
 */
export function classifyFailure(error: unknown): FailureKind | 'aborted' {
  return (error instanceof SeamAlertsError && KIND_OF_CODE[error.code]) || 'other'
}

/**
 * Runs `cycle` every `intervalMs` until stopped. A failing cycle marks the matching health part as failing and
 * the loop keeps going on the interval; a rejected API key (SEAM_AUTH) ends the loop with that error, because
 * retrying cannot help. `afterCycle` (self-monitoring) runs after every attempt, failed or not.
 */
export class PollLoop {
  private stopped = false
  private wake: (() => void) | undefined
  private running: Promise<void> | undefined

  constructor(
    private readonly opts: {
      intervalMs: number
      cycle: () => Promise<void>
      afterCycle?: () => Promise<void>
      health: HealthTracker
      logger: Logger
      /** Called for every failed attempt (metrics). */
      onFailure?: (kind: FailureKind) => void
    },
  ) {}

  get stopping(): boolean {
    return this.stopped
  }

  /** Run one attempt; returns the error of a failed one (already logged and reported to health). */
  async once(): Promise<unknown> {
    let failure: unknown
    try {
      await this.opts.cycle()
      this.opts.health.ok('seam')
      this.opts.health.ok('state')
      this.opts.health.ok('loop')
    } catch (error) {
      const kind = classifyFailure(error)
      // Cancelled by shutdown: nothing failed and nothing is left to check.
      if (kind === 'aborted') return undefined
      failure = error
      this.opts.onFailure?.(kind)
      if (kind === 'auth') throw error
      const part = kind === 'other' ? 'loop' : kind
      const wasFailing = this.opts.health.failingSince(part) !== undefined
      this.opts.health.fail(part, errorMessage(error))
      const log = { err: errorMessage(error), part }
      if (kind === 'other')
        this.opts.logger.error({ ...log, stack: (error as Error)?.stack }, 'poll cycle failed')
      else if (!wasFailing) this.opts.logger.error(log, 'poll cycle failed; retrying on the poll interval')
      else this.opts.logger.debug(log, 'poll cycle still failing')
    }
    try {
      await this.opts.afterCycle?.()
    } catch (error) {
      this.opts.logger.warn({ err: errorMessage(error) }, 'after-cycle check failed')
    }
    return failure
  }

  /** Start looping; the promise settles when stopped (or rejects on a fatal error). */
  start(): Promise<void> {
    this.running ??= this.loop()
    return this.running
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      await this.once()
      if (this.stopped) break
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.opts.intervalMs)
        this.wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      this.wake = undefined
    }
  }

  /** Stop after the current cycle; resolves when the loop has ended (errors are the starter's to handle). */
  async stop(): Promise<void> {
    this.stopped = true
    this.wake?.()
    await this.running?.catch(() => undefined)
  }
}
