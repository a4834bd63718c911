import cron, { type ScheduledTask } from 'node-cron'
import type { Clock } from '../clock.js'
import { isCronExpression } from '../input/time-checks.js'
import type { Logger } from '../log.js'
import { enqueueDecisions } from '../notify/outbox.js'
import type { Action } from '../rules/action-schema.js'
import type { StateAccess } from '../state/store.js'
import type { ActionPolicy, RuleInfo, RuleLookup } from './actions.js'
import type { DaemonContext } from './context.js'
import { digestActions, digestDecision } from './digest.js'

export type CronSchedule = (
  expression: string,
  fn: () => void | Promise<void>,
  options: { timezone?: string; name?: string; noOverlap?: boolean },
) => Pick<ScheduledTask, 'stop' | 'destroy'>

export const nodeCronSchedule: CronSchedule = (expression, fn, options) =>
  cron.schedule(expression, fn, options)

/**
 * Digest rules collect their fires in state.digests (see cycle.ts); on the rule's cron (in its timezone, else
 * the configured one) one summary alert is queued through the rule's actions and the collected entries are
 * cleared in the same state update, so a restart never loses or repeats a digest.
 */
export class DigestScheduler {
  private tasks = new Map<string, Pick<ScheduledTask, 'stop' | 'destroy'>>()
  private readonly schedule: CronSchedule

  constructor(
    private readonly opts: {
      state: StateAccess
      clock: Clock
      logger: Logger
      timezone: string
      rule: (id: string) => RuleInfo | undefined
      actionsFor: (rule: RuleInfo) => Action[]
      onQueued: () => void
      cronSchedule?: CronSchedule
    },
  ) {
    this.schedule = opts.cronSchedule ?? nodeCronSchedule
  }

  /** (Re)schedule one task per rule with a `digest`; call again on every rule reload. */
  reschedule(rules: readonly RuleInfo[]): void {
    this.stop()
    for (const rule of rules) {
      if (!rule.digest) continue
      const { cron: expression } = rule.digest
      const timezone = rule.digest.timezone ?? this.opts.timezone
      if (!isCronExpression(expression)) {
        this.opts.logger.error(
          { rule: rule.id, cron: expression },
          'digest: invalid cron expression, not scheduled',
        )
        continue
      }
      try {
        const task = this.schedule(expression, async () => void (await this.sendDigest(rule.id)), {
          timezone,
          name: `digest:${rule.id}`,
          noOverlap: true,
        })
        this.tasks.set(rule.id, task)
        this.opts.logger.debug({ rule: rule.id, cron: expression, timezone }, 'digest scheduled')
      } catch (error) {
        this.opts.logger.error({ rule: rule.id, err: error }, 'digest: could not schedule')
      }
    }
  }

  scheduled(): string[] {
    return [...this.tasks.keys()]
  }

  /** Queue the summary of everything collected for `ruleId` and clear it. Returns the outbox items added. */
  async sendDigest(ruleId: string): Promise<number> {
    const rule = this.opts.rule(ruleId)
    if (!rule) return 0
    const now = this.opts.clock.now()
    try {
      const queued = await this.opts.state.update((draft) => {
        const collected = draft.digests[ruleId]
        const entries = Object.values(collected ?? {})
        if (entries.length === 0) return 0
        const decision = digestDecision(ruleId, entries, now)
        const added = enqueueDecisions(
          draft,
          [decision],
          () => ({ actions: digestActions(this.opts.actionsFor(rule)) }),
          now,
        )
        delete draft.digests[ruleId]
        return added
      })
      if (queued > 0) {
        this.opts.logger.info({ rule: ruleId, queued }, 'digest queued')
        this.opts.onQueued()
      }
      return queued
    } catch (error) {
      // The entries stay collected; the next run sends them.
      this.opts.logger.error({ rule: ruleId, err: error }, 'digest: could not queue the summary')
      return 0
    }
  }

  stop(): void {
    for (const task of this.tasks.values()) {
      void task.stop()
      void task.destroy()
    }
    this.tasks.clear()
  }
}

/**
 * The digest schedules as a daemon component: scheduled from the live rules when the daemon starts (and again on
 * every rule reload, see rule-reload.ts), stopped at shutdown. None with --once.
 */
export function scheduleDigests(
  ctx: DaemonContext,
  parts: { rules: RuleLookup & { enabled(): RuleInfo[] }; policy: ActionPolicy },
): DigestScheduler | undefined {
  if (ctx.once) return undefined
  const { rules, policy } = parts
  const digests = new DigestScheduler({
    ...ctx,
    timezone: ctx.config.timezone,
    rule: (id) => rules.get(id),
    actionsFor: (rule) => policy.forRule(rule),
  })
  ctx.lifecycle.add({
    name: 'digests',
    start: () => digests.reschedule(rules.enabled()),
    stop: () => digests.stop(),
  })
  return digests
}
