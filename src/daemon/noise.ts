import { errorMessage } from '../errors.js'
import type { NamedIntervals, NoiseRule } from '../noise/hold.js'
import type { NoiseDeps } from '../noise/noise-stage.js'
import { endedBatches, queueSummaries, type SummaryDeps } from '../noise/summaries.js'
import type { Rule } from '../rules/rule-schema.js'
import type { ActionPolicy } from './actions.js'
import type { DaemonContext } from './context.js'
import type { RuleReload } from './rule-reload.js'

/** The rule's fields the noise stage reads. */
function noiseRule(rule: Rule): NoiseRule {
  const out: NoiseRule = { severity: rule.severity, resolve: rule.resolve, throttle: rule.throttle }
  if (rule.muteTimes.length > 0) out.muteTimes = rule.muteTimes
  if (rule.inhibitedBy.length > 0) out.inhibitedBy = rule.inhibitedBy
  return out
}

/** The daemon's noise stage and summary dependencies, wired to the live rules, config and metrics. */
export function noiseDeps(
  ctx: Pick<DaemonContext, 'config' | 'metrics'>,
  parts: { rules: Pick<RuleReload, 'get'>; policy: ActionPolicy },
): NoiseDeps & SummaryDeps {
  const { metrics } = ctx
  const intervals: NamedIntervals = ctx.config.timeIntervals
  const counters = { silenced: metrics.silenced, muted: metrics.muted, inhibited: metrics.inhibited }
  return {
    rule: (id) => {
      const rule = parts.rules.get(id)
      return rule ? noiseRule(rule) : undefined
    },
    actionsFor: (id) => {
      const rule = parts.rules.get(id)
      return rule ? parts.policy.forRule(rule) : []
    },
    intervals: () => intervals,
    onHeld: (outcome, rule) => counters[outcome].inc({ rule }),
  }
}

/**
 * Queue the summaries of silences and mute times that have ended (checked on the durable state first: nothing
 * ended, no write). Runs after every poll attempt; the summary and the removal of what it summarises are one
 * state update, and the outbox delivers it with retries and dead letters as any alert.
 */
export async function summariseEnded(ctx: DaemonContext, deps: SummaryDeps): Promise<number> {
  const now = ctx.clock.now()
  if (endedBatches(ctx.state.current(), deps, now).length === 0) return 0
  try {
    const { queued, dropped } = await ctx.state.update((draft) => queueSummaries(draft, deps, now))
    if (queued > 0) {
      ctx.logger.info({ queued }, 'noise: end-of-silence / end-of-mute summaries queued')
      ctx.onQueued()
    }
    if (dropped > 0)
      ctx.logger.warn({ dropped }, 'noise: summaries dropped (rule or target gone; see the history)')
    return queued
  } catch (error) {
    ctx.logger.error({ err: errorMessage(error) }, 'noise: could not queue summaries; will retry')
    return 0
  }
}
