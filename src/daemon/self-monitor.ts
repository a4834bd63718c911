import type { Clock } from '../clock.js'
import type { Config } from '../config.js'
import { formatDuration } from '../duration.js'
import type { Logger } from '../log.js'
import { enqueueMonitorAlert } from '../notify/outbox.js'
import type { Action } from '../rules/action-schema.js'
import type { Decision } from '../rules/decision.js'
import type { State } from '../state/state-schema.js'
import type { StateAccess } from '../state/store.js'
import { MONITOR_RULE_PREFIX } from './actions.js'

export type MonitorCheck = 'seam-down' | 'lag' | 'clock'

export const MONITOR_DESCRIPTIONS: Record<MonitorCheck, string> = {
  'seam-down': 'seam-alerts cannot reach the Seam API',
  lag: 'seam-alerts is falling behind the Seam event stream',
  clock: 'the seam-alerts event cursor was ahead of the clock (it was put back; see daemon/future-cursor.ts)',
}

/** What the monitor looks at, sampled after every poll attempt. */
export interface MonitorSample {
  /** Since when Seam has been failing (epoch ms), undefined while it works. */
  seamFailingSince: number | undefined
  seamReason: string | undefined
  /** The event cursor (ISO) or null before the first poll. */
  cursor: string | null
}

const isoOf = (ms: number) => new Date(ms).toISOString()

/** The decision of a meta-alert (a fire, or with `recovered` its resolve). */
export function metaDecision(
  check: MonitorCheck,
  since: number,
  now: number,
  detail: string,
  recovered: boolean,
): Decision {
  const fireId = `monitor:${check}:${isoOf(since)}`
  const eventId = recovered ? `${fireId}:recovered` : fireId
  const at = isoOf(recovered ? now : since)
  return {
    rule: `${MONITOR_RULE_PREFIX}${check}`,
    kind: recovered ? 'resolve' : 'fire',
    group: { check },
    event_id: eventId,
    at,
    count: 1,
    suppressed: 0,
    event: {
      event_id: eventId,
      event_type: `seam_alerts.${check.replace('-', '_')}${recovered ? '_recovered' : ''}`,
      created_at: at,
      occurred_at: at,
      detail,
    },
    ...(recovered ? { firedAt: isoOf(since), firedEventId: fireId } : {}),
  }
}

/**
 * Alerting on the alerting: when Seam has been failing longer than `monitor.seamDownAfter`, or the cursor lags
 * more than `monitor.lagAbove`, queue a meta-alert through `monitor.actions`; when it is over, a recovery.
 * Open meta-incidents live in state.monitor, so a restart neither re-alerts nor forgets to recover.
 */
export class SelfMonitor {
  constructor(
    private readonly opts: {
      state: StateAccess
      clock: Clock
      logger: Logger
      monitor: Config['monitor']
      actions: () => Action[]
      onQueued: () => void
    },
  ) {}

  /** Check both conditions; writes state only when an incident opens, alerts or closes. */
  async check(sample: MonitorSample): Promise<void> {
    const now = this.opts.clock.now()
    const lag = sample.cursor ? now - Date.parse(sample.cursor) : 0
    const seamDown =
      sample.seamFailingSince !== undefined
        ? {
            since: sample.seamFailingSince,
            detail: `Seam API failing since ${isoOf(sample.seamFailingSince)}: ${sample.seamReason ?? 'unknown error'}`,
          }
        : undefined
    await this.step('seam-down', seamDown, this.opts.monitor.seamDownAfter, now)
    const lagging =
      Number.isFinite(lag) && lag > this.opts.monitor.lagAbove
        ? {
            since: now - lag + this.opts.monitor.lagAbove,
            detail: `event cursor ${sample.cursor} is ${formatDuration(lag)} behind`,
          }
        : undefined
    await this.step('lag', lagging, 0, now)
  }

  private async step(
    check: MonitorCheck,
    problem: { since: number; detail: string } | undefined,
    after: number,
    now: number,
  ): Promise<void> {
    const open = this.opts.state.current().monitor[check]
    if (problem) {
      const since = open?.since ?? problem.since
      if (open?.alerted || now - since < after) {
        if (!open) await this.write((draft) => (draft.monitor[check] = { since, alerted: false }))
        return
      }
      this.opts.logger.error({ check, since: isoOf(since) }, `self-monitor: ${problem.detail}`)
      const queued = await this.write((draft) => {
        draft.monitor[check] = { since, alerted: true }
        return enqueueMonitorAlert(
          draft,
          metaDecision(check, since, now, problem.detail, false),
          this.opts.actions(),
          now,
        )
      })
      this.afterQueue(queued, check)
      return
    }
    if (!open) return
    const queued = await this.write((draft) => {
      delete draft.monitor[check]
      if (!open.alerted) return 0
      const detail = `recovered after ${formatDuration(now - open.since)}`
      return enqueueMonitorAlert(
        draft,
        metaDecision(check, open.since, now, detail, true),
        this.opts.actions(),
        now,
      )
    })
    if (open.alerted) this.opts.logger.info({ check }, `self-monitor: ${check} recovered`)
    this.afterQueue(queued, check)
  }

  private afterQueue(queued: number | undefined, check: MonitorCheck): void {
    if (queued && queued > 0) this.opts.onQueued()
    else if (queued === 0 && this.opts.actions().length === 0)
      this.opts.logger.warn(
        { check },
        'self-monitor: no monitor.actions configured, the meta-alert is only logged',
      )
  }

  private async write<T>(mutate: (draft: State) => T): Promise<T | undefined> {
    try {
      return await this.opts.state.update(mutate)
    } catch (error) {
      this.opts.logger.warn(
        { err: error instanceof Error ? error.message : error },
        'self-monitor: state write failed',
      )
      return undefined
    }
  }
}
