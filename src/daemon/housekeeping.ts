import type { Clock } from '../clock.js'
import type { Config } from '../config.js'
import type { Logger } from '../log.js'
import { requeueDeadLetters } from '../state/dead-letters.js'
import { pruneState } from '../state/prune.js'
import type { StateAccess } from '../state/store.js'
import type { CronSchedule } from './digest-scheduler.js'
import { nodeCronSchedule } from './digest-scheduler.js'
import type { Component } from './lifecycle.js'

/** One housekeeping pass: prune what retention allows, and re-queue dead letters when configured. */
export async function runHousekeeping(opts: {
  state: StateAccess
  clock: Clock
  logger: Logger
  config: Pick<Config, 'retention' | 'housekeeping'>
  onQueued: () => void
}): Promise<void> {
  const now = opts.clock.now()
  const requeued = await opts.state.update((draft) => {
    pruneState(draft, { now, retention: opts.config.retention })
    if (!opts.config.housekeeping.retryDeadLetters || draft.deadLetters.length === 0) return 0
    return requeueDeadLetters(draft, now).requeued.length
  })
  if (requeued > 0) {
    opts.logger.info({ requeued }, 'housekeeping: dead letters re-queued')
    opts.onQueued()
  }
}

/** Run housekeeping on `housekeeping.cron` (in the configured timezone). Returns a stop function. */
export function scheduleHousekeeping(opts: {
  state: StateAccess
  clock: Clock
  logger: Logger
  config: Pick<Config, 'retention' | 'housekeeping' | 'timezone'>
  onQueued: () => void
  cronSchedule?: CronSchedule
}): () => void {
  const schedule = opts.cronSchedule ?? nodeCronSchedule
  const task = schedule(
    opts.config.housekeeping.cron,
    async () => {
      try {
        await runHousekeeping(opts)
      } catch (error) {
        opts.logger.warn({ err: error instanceof Error ? error.message : error }, 'housekeeping failed')
      }
    },
    { timezone: opts.config.timezone, name: 'housekeeping', noOverlap: true },
  )
  return () => {
    void task.stop()
    void task.destroy()
  }
}

/** Housekeeping as a daemon component: scheduled when the daemon starts, unscheduled when it stops. */
export function housekeeping(opts: Parameters<typeof scheduleHousekeeping>[0]): Component {
  let unschedule: (() => void) | undefined
  return {
    name: 'housekeeping',
    start: () => {
      unschedule = scheduleHousekeeping(opts)
    },
    stop: () => unschedule?.(),
  }
}
