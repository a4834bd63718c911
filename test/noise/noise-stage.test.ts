import { describe, expect, it } from 'vitest'
import type { NamedIntervals, NoiseRule } from '../../src/noise/hold.js'
import { openIncidents } from '../../src/noise/incidents.js'
import { type NoiseDeps, noiseStage } from '../../src/noise/noise-stage.js'
import { addSilence, expireSilenceById } from '../../src/noise/silence-ops.js'
import { queueSummaries } from '../../src/noise/summaries.js'
import { enqueueDecisions } from '../../src/notify/outbox.js'
import { applyOutcomes } from '../../src/notify/outcomes.js'
import type { Action } from '../../src/rules/action-schema.js'
import type { Decision } from '../../src/rules/decision.js'
import type { State } from '../../src/state/state-schema.js'
import { at, MIN, openState, T0 } from '../helpers/fixtures.js'

const SLACK: Action = { type: 'slack', channel: '#ops' } as Action
const MAIL: Action = { type: 'email', to: ['ops@example.com'] } as Action

function decision(rule: string, kind: 'fire' | 'resolve', device: string, id: string, when = T0): Decision {
  return {
    rule,
    kind,
    group: { device_id: device },
    event_id: id,
    at: at(when),
    count: 1,
    suppressed: 0,
    event: {
      event_id: id,
      event_type: kind === 'fire' ? 'device.disconnected' : 'device.connected',
      device_id: device,
      created_at: at(when),
      occurred_at: at(when),
      device_custom_metadata: { site: device.endsWith('1') || device.endsWith('2') ? 'hq' : 'lab' },
    } as Decision['event'],
  }
}

const siteDecision = (kind: 'fire' | 'resolve', site: string, id: string): Decision => ({
  ...decision('site-offline', kind, `hub_${site}`, id),
  group: { 'device_custom_metadata.site': site },
  event: { ...decision('site-offline', kind, 'hub', id).event, device_custom_metadata: { site } },
})

function depsFor(
  rules: Record<string, NoiseRule>,
  intervals?: NamedIntervals,
): NoiseDeps & { held: string[] } {
  const held: string[] = []
  return {
    held,
    rule: (id) => rules[id],
    actionsFor: (id) => (rules[id] ? [SLACK, MAIL] : []),
    intervals: () => intervals,
    onHeld: (outcome, rule) => held.push(`${outcome}:${rule}`),
  }
}

const silenceOf = (id: string, matchers: string[], endsAt = T0 + 60 * MIN, extra = {}) => ({
  id,
  matchers,
  startsAt: at(T0 - MIN),
  endsAt: at(endsAt),
  createdBy: 'alice',
  comment: 'battery swap',
  ...extra,
})

/** Run the stage in a real update (the state is frozen between updates: a write in place would throw). */
async function stage(
  state: Awaited<ReturnType<typeof openState>>,
  ds: Decision[],
  deps: NoiseDeps,
  now = T0,
) {
  let pass: Decision[] = []
  await state.update((draft) => {
    const result = noiseStage(draft, ds, deps, now)
    pass = result.pass
    enqueueDecisions(
      draft,
      pass,
      () => ({ actions: [SLACK, MAIL] }),
      now,
      (d) => result.labels.get(d),
    )
  })
  return pass.map((d) => d.event_id)
}

const outcomes = (s: State) => s.history.map((h) => `${h.outcome}:${h.event_id}:${h.target ?? '-'}`)

describe('noise stage', () => {
  it('a silence holds back exactly the matching alerts: history per target, counted once per alert, kept for the summary', async () => {
    const state = await openState()
    await state.update((draft) => void addSilence(draft, silenceOf('s1', ['device_id=dev_1'])))
    const deps = depsFor({ 'device-offline': { severity: 'critical', resolve: {} } })
    const passed = await stage(
      state,
      [decision('device-offline', 'fire', 'dev_1', 'e1'), decision('device-offline', 'fire', 'dev_3', 'e3')],
      deps,
    )
    expect(passed).toEqual(['e3'])
    const s = state.current()
    expect(outcomes(s)).toEqual(['silenced:e1:slack:#ops', 'silenced:e1:email:ops@example.com'])
    expect(s.history[0]).toMatchObject({
      silenceId: 's1',
      labels: { rule: 'device-offline', kind: 'fire', severity: 'critical', device_id: 'dev_1' },
    })
    expect(s.silences[0]!.suppressed).toBe(1)
    expect(deps.held).toEqual(['silenced:device-offline'])
    expect(s.outbox.map((i) => i.id)).toEqual(['device-offline:fire:e3:0', 'device-offline:fire:e3:1'])
    expect(s.outbox[0]!.labels).toMatchObject({ device_id: 'dev_3', 'device_custom_metadata.site': 'lab' })
    expect(Object.values(s.noise.held).map((b) => [b.target, b.count, b.eventIds])).toEqual([
      ['slack:#ops', 1, ['e1']],
      ['email:ops@example.com', 1, ['e1']],
    ])
  })

  it("a silenced fire's resolve is held with the same silence, even after the silence ended (history only, no second summary)", async () => {
    const state = await openState()
    await state.update((draft) => void addSilence(draft, silenceOf('s1', ['device_id=dev_1'], T0 + 10 * MIN)))
    const deps = depsFor({ 'device-offline': { resolve: {} } })
    await stage(state, [decision('device-offline', 'fire', 'dev_1', 'e1')], deps)
    await state.update(
      (draft) =>
        void queueSummaries(
          draft,
          { actionsFor: () => [SLACK, MAIL], intervals: () => undefined },
          T0 + 11 * MIN,
        ),
    )
    const passed = await stage(
      state,
      [decision('device-offline', 'resolve', 'dev_1', 'r1', T0 + 20 * MIN)],
      deps,
      T0 + 20 * MIN,
    )
    expect(passed).toEqual([])
    const s = state.current()
    expect(s.history.filter((h) => h.event_id === 'r1').map((h) => [h.outcome, h.silenceId])).toEqual([
      ['silenced', 's1'],
      ['silenced', 's1'],
    ])
    expect(s.silences[0]!.suppressed).toBe(2)
    expect(s.noise.held).toEqual({})
    expect(s.noise.heldFires).toEqual({})
  })

  it('inhibition does not depend on the order of events in a batch, and releases when the source resolves', async () => {
    const rules: Record<string, NoiseRule> = {
      'site-offline': { resolve: {} },
      'device-offline': { inhibitedBy: [{ rule: 'site-offline', equal: ['device_custom_metadata.site'] }] },
    }
    for (const order of ['source first', 'target first']) {
      const state = await openState()
      const deps = depsFor(rules)
      const source = siteDecision('fire', 'hq', 'site1')
      const targets = [
        decision('device-offline', 'fire', 'dev_1', 'e1'),
        decision('device-offline', 'fire', 'dev_3', 'e3'),
      ]
      const batch = order === 'source first' ? [source, ...targets] : [...targets, source]
      expect((await stage(state, batch, deps)).sort(), order).toEqual(['e3', 'site1'])
      const inhibited = state.current().history.find((h) => h.outcome === 'inhibited')
      expect(inhibited).toMatchObject({
        event_id: 'e1',
        inhibitedBy: 'site-offline|{"device_custom_metadata.site":"hq"}',
      })
      expect(
        openIncidents(state.current(), T0).map((i) => [i.rule, i.labels['device_custom_metadata.site']]),
      ).toEqual([['site-offline', 'hq']])
      // The source resolves in the same batch as a new target alert: the target goes out.
      const next = [
        decision('device-offline', 'fire', 'dev_2', 'e2', T0 + MIN),
        siteDecision('resolve', 'hq', 'site1r'),
      ]
      expect((await stage(state, next, deps)).sort()).toEqual(['e2', 'site1r'])
      expect(openIncidents(state.current(), T0)).toEqual([])
    }
  })

  it('a rule without resolve inhibits within its throttle only', async () => {
    const rules: Record<string, NoiseRule> = {
      'site-offline': { throttle: 10 * MIN },
      'device-offline': { inhibitedBy: [{ rule: 'site-offline', equal: ['device_custom_metadata.site'] }] },
    }
    const state = await openState()
    const deps = depsFor(rules)
    await stage(state, [siteDecision('fire', 'hq', 'site1')], deps)
    expect(
      await stage(state, [decision('device-offline', 'fire', 'dev_1', 'e1', T0 + 5 * MIN)], deps),
    ).toEqual([])
    expect(
      await stage(state, [decision('device-offline', 'fire', 'dev_2', 'e2', T0 + 10 * MIN)], deps),
    ).toEqual(['e2'])
  })

  it('muteTimes hold alerts while the wall clock is inside, and the summary goes out when the interval ends', async () => {
    const intervals: NamedIntervals = { night: [{ times: [{ start_time: '00:00', end_time: '13:00' }] }] }
    const rules: Record<string, NoiseRule> = { 'device-offline': { muteTimes: ['weekends', 'night'] } }
    const state = await openState()
    const deps = depsFor(rules, intervals)
    expect(await stage(state, [decision('device-offline', 'fire', 'dev_1', 'e1')], deps)).toEqual([])
    expect(state.current().history[0]).toMatchObject({ outcome: 'muted', muteTime: 'night' })
    const batch = Object.values(state.current().noise.held)[0]!
    expect(batch).toMatchObject({ source: 'mute', id: 'night', until: Date.parse('2026-03-01T13:00:00Z') })
    const summaryDeps = { actionsFor: () => [SLACK, MAIL], intervals: () => intervals }
    await state.update((draft) => expect(queueSummaries(draft, summaryDeps, T0 + 30 * MIN).queued).toBe(0))
    await state.update((draft) => expect(queueSummaries(draft, summaryDeps, T0 + 60 * MIN).queued).toBe(2))
    const [slack] = state.current().outbox
    expect(slack).toMatchObject({ target: 'slack:#ops', actionRef: 'rule:device-offline#0' })
    expect(slack!.action.title).toContain('{{event.summary.why}}')
    expect(slack!.decision.event).toMatchObject({
      held: 1,
      summary: { why: 'while muted (night)', event_ids: 'e1' },
    })
    expect(state.current().noise.held).toEqual({})
    // Outside the interval: alerts go out.
    expect(
      await stage(state, [decision('device-offline', 'fire', 'dev_1', 'e2')], deps, T0 + 90 * MIN),
    ).toEqual(['e2'])
  })

  it('one summary per rule and target when a silence is expired early; none with noSummary', async () => {
    const state = await openState()
    await state.update((draft) => {
      addSilence(draft, silenceOf('s1', ['rule=device-offline']))
      addSilence(draft, silenceOf('s2', ['rule=door'], T0 + 60 * MIN, { noSummary: true }))
    })
    const deps = depsFor({ 'device-offline': {}, door: {} })
    const ds = [1, 2, 3].map((n) => decision('device-offline', 'fire', `dev_${n}`, `e${n}`))
    await stage(state, [...ds, decision('door', 'fire', 'dev_1', 'd1')], deps)
    const summaryDeps = { actionsFor: () => [SLACK, MAIL], intervals: () => undefined }
    await state.update((draft) => expect(queueSummaries(draft, summaryDeps, T0 + MIN).queued).toBe(0))
    await state.update((draft) => {
      expireSilenceById(draft, 's1', T0 + 2 * MIN)
      expireSilenceById(draft, 's2', T0 + 2 * MIN)
    })
    await state.update((draft) => expect(queueSummaries(draft, summaryDeps, T0 + 2 * MIN).queued).toBe(2))
    const items = state.current().outbox
    expect(items.map((i) => i.target)).toEqual(['slack:#ops', 'email:ops@example.com'])
    expect(items[0]!.decision.event).toMatchObject({
      held: 3,
      summary: { why: 'while silenced (battery swap, by alice)', event_ids: 'e1 e2 e3' },
    })
    expect(state.current().silences.map((s) => s.suppressed)).toEqual([3, 1])
  })

  it('records sent, rolled-up and dead-lettered outcomes with the labels queued on the item', async () => {
    const state = await openState()
    const deps = depsFor({ 'device-offline': {} })
    await stage(
      state,
      [decision('device-offline', 'fire', 'dev_1', 'e1'), decision('device-offline', 'fire', 'dev_3', 'e3')],
      deps,
    )
    const [a, b, c] = state.current().outbox
    await state.update((draft) =>
      applyOutcomes(draft, [
        { type: 'sent', items: [a!], receipt: { ref: '123.4', channel: 'C1' }, at: T0 + 1 },
        { type: 'sent', items: [c!], receipt: { ref: '123.5', channel: 'C1' }, at: T0 + 2, rollup: true },
        { type: 'dead', items: [b!], reason: 'mailbox full', at: T0 + 3 },
      ]),
    )
    expect(state.current().history.map((h) => [h.outcome, h.event_id, h.ref ?? h.reason])).toEqual([
      ['sent', 'e1', '123.4'],
      ['rolled-up', 'e3', '123.5'],
      ['dead-lettered', 'e1', 'mailbox full'],
    ])
    expect(state.current().history[0]!.labels).toMatchObject({ device_id: 'dev_1', rule: 'device-offline' })
  })
})
