import { errorMessage } from '../errors.js'
import type { Logger } from '../log.js'
import type { StateHolderOptions } from '../state/state-holder.js'
import { emptyState } from '../state/state-schema.js'
import type { HealthTracker } from './health.js'
import type { DaemonMetrics } from './metrics.js'

/**
 * The daemon's StateHolder options, whatever the store: a fresh start is the empty state, and every write is
 * reported to the metrics and to /healthz (a failed one too, then to `onWriteError` if given).
 */
export function reportedWrites(opts: {
  logger: Logger
  metrics: DaemonMetrics
  health: HealthTracker
  onWriteError?: (error: unknown) => void
}): StateHolderOptions {
  const { metrics, health } = opts
  return {
    initial: emptyState,
    logger: opts.logger,
    onWrite: (ms, bytes) => {
      metrics.stateWrite.observe(ms / 1000)
      metrics.stateBytes.set(bytes)
      health.ok('state')
    },
    onWriteError: (error) => {
      health.fail('state', errorMessage(error))
      opts.onWriteError?.(error)
    },
  }
}
