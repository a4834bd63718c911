import { formatDuration } from '../duration.js'
import { errorMessage, SeamAlertsError } from '../errors.js'
import type { Logger } from '../log.js'
import type { JsonFileStore } from '../state/json-file-store.js'
import type { StateHolder } from '../state/state-holder.js'
import type { HealthTracker } from './health.js'

/** How often a lost state lock is tried again. */
export const LOCK_RETRY_EVERY_MS = 2000

/**
 * A daemon that lost its state lock (the lock directory removed, taken over after a stall, or the file system
 * gone read-only so it could not be refreshed) cannot save, so it cannot move its cursor or record a send. Rather
 * than stay up answering 503 forever, it tries to take the lock back every LOCK_RETRY_EVERY_MS:
 * - taken back, and the file is still the generation it last wrote: it saves at once and carries on;
 * - the file was written by another process meanwhile: its state is out of date, so it gives up at once;
 * - not taken back within `maxMs` (`limits.lockLostMax`): it gives up.
 * Giving up rejects the returned promise (STATE_LOCK_LOST; it never resolves), so the daemon stops and exits
 * EXIT_TEMPFAIL (75) and a supervisor restarts it. Once the store is closed (the daemon stopping), it stops trying.
 */
export function recoverLostLocks(opts: {
  store: JsonFileStore
  state: StateHolder
  health: HealthTracker
  logger: Logger
  maxMs: number
}): Promise<never> {
  const { store, state, health, logger, maxMs } = opts
  let recovering = false
  let fail: (error: Error) => void = () => {}
  const failed = new Promise<never>((_, reject) => {
    fail = reject
  })
  failed.catch(() => undefined) // handled by whoever races it; never an unhandled rejection

  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref())

  const recover = async (lost: Error): Promise<void> => {
    const since = Date.now()
    const deadline = since + maxMs
    const reason = `lost the state file lock (${lost.message})`
    health.fail(
      'state',
      `${reason}; re-taking it, exiting if that fails by ${new Date(deadline).toISOString()}`,
    )
    logger.error(
      {
        file: store.file,
        err: lost.message,
        retryEveryMs: LOCK_RETRY_EVERY_MS,
        giveUpAt: new Date(deadline),
      },
      `${reason}: trying to take it back for up to ${formatDuration(maxMs)} (limits.lockLostMax), then exiting so a supervisor restarts seam-alerts`,
    )
    let last: unknown = lost
    for (let attempt = 1; ; attempt++) {
      try {
        if (!(await store.retakeLock())) return
        logger.warn({ file: store.file, attempt }, 'took the state file lock back: saving and carrying on')
        // An empty update writes the current state under the new lock (and clears the health flag on success).
        await state.update(() => undefined).catch(() => undefined)
        return
      } catch (error) {
        last = error
        if (error instanceof SeamAlertsError && error.code === 'STATE_LOCK_LOST') {
          fail(error)
          return
        }
        logger.debug({ attempt, err: errorMessage(error) }, 'the state file lock is still unavailable')
      }
      const left = deadline - Date.now()
      if (left <= 0) break
      await sleep(Math.min(LOCK_RETRY_EVERY_MS, left))
    }
    fail(
      new SeamAlertsError(
        'STATE_LOCK_LOST',
        `State file ${store.file}: ${reason} at ${new Date(since).toISOString()} and could not take it back within limits.lockLostMax (${formatDuration(maxMs)}); last error: ${errorMessage(last).replace(/\.$/, '')}. Exiting so that a supervisor restarts seam-alerts.`,
      ),
    )
  }

  store.onLockLost((lost) => {
    if (recovering) return
    recovering = true
    void recover(lost).finally(() => {
      recovering = false
    })
  })

  return failed
}
