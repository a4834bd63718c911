import type { Logger } from '../log.js'

const EXIT_CODE: Record<string, number> = { SIGINT: 130, SIGTERM: 143 }

export interface ProcessHooks {
  /** Remove every handler installed here. */
  uninstall(): void
}

/**
 * Process-level wiring for the daemon:
 * - the first SIGTERM/SIGINT calls `shutdown` (stop polling, flush, write state, release the lock);
 * - a second one exits at once with 130 (SIGINT) or 143 (SIGTERM);
 * - an unhandled rejection or uncaught exception is logged, `emergency` gets a bounded chance to release the
 *   lock, and the process exits 1 so a supervisor restarts it instead of keeping a zombie.
 */
export function installProcessHooks(opts: {
  logger: Logger
  shutdown: (signal: string) => Promise<void>
  emergency: () => Promise<void>
  exit?: (code: number) => void
  emergencyTimeoutMs?: number
}): ProcessHooks {
  const exit = opts.exit ?? ((code: number) => process.exit(code))
  let stopping = false

  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      opts.logger.warn({ signal }, 'second signal: exiting at once')
      exit(EXIT_CODE[signal] ?? 1)
      return
    }
    stopping = true
    opts.logger.info({ signal }, 'shutting down (send the signal again to exit at once)')
    opts.shutdown(signal).catch((error: unknown) => {
      opts.logger.error({ err: error }, 'shutdown failed')
      exit(1)
    })
  }

  let crashing = false
  const onFatal = (kind: string) => (error: unknown) => {
    opts.logger.fatal({ err: error }, `${kind}: exiting so a supervisor can restart the daemon`)
    if (crashing) return
    crashing = true
    const timeout = new Promise<void>((resolve) =>
      setTimeout(resolve, opts.emergencyTimeoutMs ?? 3000).unref(),
    )
    Promise.race([opts.emergency().catch(() => undefined), timeout]).finally(() => exit(1))
  }
  const onRejection = onFatal('unhandled promise rejection')
  const onException = onFatal('uncaught exception')

  process.on('SIGTERM', onSignal)
  process.on('SIGINT', onSignal)
  process.on('unhandledRejection', onRejection)
  process.on('uncaughtException', onException)
  return {
    uninstall() {
      process.off('SIGTERM', onSignal)
      process.off('SIGINT', onSignal)
      process.off('unhandledRejection', onRejection)
      process.off('uncaughtException', onException)
    },
  }
}
