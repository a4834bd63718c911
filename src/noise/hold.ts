import { type Decision, incidentKey } from '../rules/decision.js'
import type { InhibitRule } from '../rules/inhibit-schema.js'
import { inTimeInterval } from '../rules/time-interval.js'
import type { TimeIntervalSpec } from '../rules/time-interval-schema.js'
import type { State } from '../state/state-schema.js'
import { inhibitedBy, type OpenIncident } from './inhibit.js'
import type { Labels } from './labels.js'
import type { Hold } from './noise-state.js'
import { silencesFor } from './silence.js'

/** The rule fields the noise stage reads (structural: `muteTimes` and `inhibitedBy` may be absent). */
export interface NoiseRule {
  severity?: string
  resolve?: unknown
  throttle?: number
  muteTimes?: readonly string[]
  inhibitedBy?: readonly InhibitRule[]
}

export type NamedIntervals = Readonly<Record<string, TimeIntervalSpec | readonly TimeIntervalSpec[]>>

/** The first of the rule's mute times the wall clock is inside at `now`, with its specs. */
export function activeMuteTime(
  names: readonly string[] | undefined,
  intervals: NamedIntervals | undefined,
  now: number,
): string | undefined {
  for (const name of names ?? []) {
    const specs = intervals?.[name]
    if (specs && inTimeInterval(specs, now)) return name
  }
  return undefined
}

/**
 * Why this alert is held back, or undefined when it goes out. In order (Alertmanager's pipeline: inhibit, mute
 * time, silence; the first that holds is recorded):
 * 1. a resolve whose fire was held is held the same way (even if the silence or mute time has ended since:
 *    its fire was never sent, so a lone "resolved" would only confuse);
 * 2. inhibited by an open incident of an `inhibitedBy` rule, compared at the alert's event time;
 * 3. muted: the WALL clock is inside one of the rule's `muteTimes`;
 * 4. silenced: an active silence matches its labels (the oldest such silence is named).
 */
export function holdFor(
  draft: State,
  decision: Decision,
  labels: Labels,
  rule: NoiseRule,
  ctx: { open: readonly OpenIncident[]; intervals: NamedIntervals | undefined; now: number },
): Hold | undefined {
  const { now } = ctx
  if (decision.kind === 'resolve') {
    const fire = draft.noise.heldFires[incidentKey(decision.rule, decision.group)]
    if (fire) return { ...fire, at: now }
  }
  const inhibition = inhibitedBy(
    { rule: decision.rule, labels },
    rule.inhibitedBy ?? [],
    ctx.open,
    Date.parse(decision.at),
  )
  if (inhibition) return { outcome: 'inhibited', inhibitedBy: inhibition.incident.key, at: now }
  const muteTime = activeMuteTime(rule.muteTimes, ctx.intervals, now)
  if (muteTime) return { outcome: 'muted', muteTime, at: now }
  const silence = silencesFor(draft.silences, labels, now)[0]
  if (silence) return { outcome: 'silenced', silenceId: silence.id, at: now }
  return undefined
}
