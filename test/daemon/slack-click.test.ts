import { describe, expect, it } from 'vitest'
import { acknowledgedStage } from '../../src/daemon/acknowledged.js'
import {
  applyClick,
  type Click,
  type ClickDeps,
  NOT_TRACKED,
  parseClick,
} from '../../src/daemon/slack-actions/click.js'
import { openIncidents } from '../../src/noise/incidents.js'
import { storedDecisionOf } from '../../src/notify/outbox.js'
import type { Action } from '../../src/rules/action-schema.js'
import { type Decision, incidentKey } from '../../src/rules/decision.js'
import type { SlackMessageRecord } from '../../src/state/slack-messages.js'
import { emptyState, type State } from '../../src/state/state-schema.js'
import { T0 } from '../helpers/fixtures.js'
import { decision } from '../notify/helpers.js'

const ACTIONS: Action[] = [
  { type: 'slack', channel: '#doors' },
  { type: 'email', to: ['ops@example.com'] },
  { type: 'pagerduty', routingKey: 'R0UTINGKEY0000000000000000000000' },
]
const INCIDENT = incidentKey('battery-low', { device_id: 'dev_1' })

/** A state where the fire of battery-low/dev_1 was posted to Slack (C_doors, ts 1.0) with buttons, incident open. */
function posted(): State {
  const state = emptyState()
  const fire = decision()
  const record: SlackMessageRecord = {
    channel: 'C_doors',
    ts: '1.0',
    target: 'slack:#doors',
    actionRef: 'rule:battery-low#0',
    rule: 'battery-low',
    incidents: [INCIDENT],
    groups: { [INCIDENT]: { rule: 'battery-low', device_id: 'dev_1' } },
    sentAt: T0,
    item: 'battery-low:fire:evt_1:0',
    decision: storedDecisionOf(fire),
    action: { type: 'slack', channel: '#doors' },
    status: {},
    envelopes: [],
    edits: 0,
  }
  state.slackMessages = { 'C_doors|1.0': record }
  state.threads[INCIDENT] = { slack: { 'slack:#doors': { channel: 'C_doors', ts: '1.0' } }, email: {} }
  state.noise.open[INCIDENT] = { rule: 'battery-low', labels: { rule: 'battery-low' }, firedAt: T0 }
  return state
}

const deps = (over: Partial<ClickDeps> = {}): ClickDeps => ({
  now: T0 + 60_000,
  silenceChoices: ['1h', '1d'],
  timezone: 'UTC',
  rule: (id) => (id === 'battery-low' ? { resolve: { eventTypes: ['x'] }, actions: ACTIONS } : undefined),
  ...over,
})

const click = (over: Partial<Click> = {}): Click => ({
  envelopeId: 'env-1',
  action: 'acknowledge',
  value: 'ack',
  channel: 'C_doors',
  ts: '1.0',
  user: 'U123',
  ...over,
})

describe('parseClick', () => {
  it('reads channel, message ts, user and the clicked button from a block_actions payload', () => {
    const payload = {
      type: 'block_actions',
      user: { id: 'U1', username: 'ana' },
      channel: { id: 'C_doors' },
      container: { type: 'message', message_ts: '1.0', channel_id: 'C_doors' },
      message: { ts: '1.0' },
      actions: [{ action_id: 'seam_alerts.silence.1h', value: '1h', type: 'button' }],
    }
    expect(parseClick('e', payload)).toEqual({
      envelopeId: 'e',
      action: 'silence',
      value: '1h',
      channel: 'C_doors',
      ts: '1.0',
      user: 'U1',
      userName: 'ana',
    })
    expect(parseClick('e', { ...payload, type: 'view_submission' })).toBeUndefined()
    expect(parseClick('e', { ...payload, user: undefined })).toBeUndefined()
    expect(parseClick('e', { ...payload, actions: [{ action_id: 'other', value: 'x' }] })?.action).toBe(
      'other',
    )
  })
})

describe('applyClick', () => {
  it('Acknowledge: marks the incident with who and when, writes history, queues the edit and the PagerDuty ack', () => {
    const draft = posted()
    const result = applyClick(draft, click(), deps())
    expect(result).toEqual({ outcome: 'acknowledged', queued: true })
    expect(draft.noise.acks).toEqual({ [INCIDENT]: { rule: 'battery-low', by: 'U123', at: T0 + 60_000 } })
    // GET /api/v1/incidents shows it.
    expect(openIncidents(draft, T0 + 60_000)).toEqual([
      expect.objectContaining({ key: INCIDENT, acknowledged: { by: 'U123', at: T0 + 60_000 } }),
    ])
    expect(draft.history).toMatchObject([
      { outcome: 'acknowledged', by: 'U123', rule: 'battery-low', target: 'slack:#doors', ref: '1.0' },
    ])
    expect(draft.outbox.map((item) => [item.id, item.target, item.followUp?.type])).toEqual([
      ['ack:battery-low:fire:evt_1:0:2', expect.stringMatching(/^pagerduty:/), 'acknowledge'],
      ['edit:C_doors|1.0:1', 'slack:#doors', 'slack-edit'],
    ])
    expect(draft.outbox[1]?.followUp).toMatchObject({
      type: 'slack-edit',
      channel: 'C_doors',
      ts: '1.0',
      status: { acknowledged: { by: 'U123', at: T0 + 60_000 } },
    })
    // No secret in what is stored: the routing key is looked up again at send time.
    expect(JSON.stringify(draft)).not.toContain('R0UTINGKEY')
  })

  it('a second Acknowledge, or the same envelope again, changes nothing', () => {
    const draft = posted()
    applyClick(draft, click(), deps())
    const before = JSON.stringify(draft)
    expect(applyClick(draft, click({ envelopeId: 'env-2', user: 'U999' }), deps()).outcome).toBe('duplicate')
    expect(applyClick(draft, click(), deps())).toEqual({ outcome: 'duplicate', queued: false })
    expect(JSON.stringify(draft)).toBe(before)
  })

  it('Silence: a silence for the rule and group, by the Slack user, "from Slack"; a longer value is refused', () => {
    const draft = posted()
    const user = { user: 'U7', userName: 'bo' }
    const result = applyClick(draft, click({ action: 'silence', value: '1h', ...user }), deps())
    expect(result.outcome).toBe('silenced')
    expect(draft.silences).toHaveLength(1)
    expect(draft.silences[0]).toMatchObject({
      matchers: ['rule=battery-low', 'device_id=dev_1'],
      createdBy: 'bo (slack:U7)',
      comment: 'from Slack',
      startsAt: new Date(T0 + 60_000).toISOString(),
      endsAt: new Date(T0 + 60_000 + 3_600_000).toISOString(),
    })
    expect(draft.outbox.at(-1)?.followUp).toMatchObject({ status: { silenced: { by: 'U7' } } })
    // The same duration again (another envelope) is already covered.
    expect(
      applyClick(draft, click({ action: 'silence', value: '1h', envelopeId: 'e3' }), deps()).outcome,
    ).toBe('duplicate')
    // A value that is not a configured choice (an edited payload) grants nothing.
    const forged = applyClick(draft, click({ action: 'silence', value: '3650d', envelopeId: 'e4' }), deps())
    expect(forged.outcome).toBe('invalid')
    expect(draft.silences).toHaveLength(1)
  })

  it('an unknown message, a rule that is gone, or an incident no longer open: "no longer tracked", no change', () => {
    const draft = posted()
    const before = JSON.stringify(draft)
    expect(applyClick(draft, click({ ts: '9.9' }), deps())).toEqual({
      outcome: 'unknown',
      reply: NOT_TRACKED,
      queued: false,
    })
    expect(applyClick(draft, click(), deps({ rule: () => undefined })).outcome).toBe('unknown')
    const closed = posted()
    closed.noise.open = {}
    expect(applyClick(closed, click(), deps()).reply).toBe(NOT_TRACKED)
    expect(JSON.stringify(draft)).toBe(before)
  })
})

describe('acknowledgedStage', () => {
  const stageDeps = {
    actionsFor: () => ACTIONS,
    labelsOf: (d: Decision) => ({ rule: d.rule, device_id: String(d.group.device_id) }),
  }

  it('holds throttled repeats of an acknowledged incident on every channel, and lets other groups through', () => {
    const draft = posted()
    applyClick(draft, click(), deps())
    const repeat = decision({ event_id: 'evt_2', suppressed: 3 })
    const other = decision({ event_id: 'evt_3', group: { device_id: 'dev_2' } })
    const out = acknowledgedStage(draft, [repeat, other], [repeat, other], stageDeps, T0 + 120_000)
    expect(out).toEqual([other])
    const held = draft.history.filter((e) => e.event_id === 'evt_2')
    expect(held.map((e) => [e.outcome, e.by, e.target])).toEqual([
      ['acknowledged', 'U123', 'slack:#doors'],
      ['acknowledged', 'U123', 'email:ops@example.com'],
      ['acknowledged', 'U123', expect.stringMatching(/^pagerduty:/)],
    ])
  })

  it('a resolve edits the message (resolved, how long, who acknowledged) and ends the acknowledgement', () => {
    const draft = posted()
    applyClick(draft, click(), deps())
    const resolve = decision({
      kind: 'resolve',
      event_id: 'evt_9',
      at: new Date(T0 + 2 * 3_600_000).toISOString(),
      firedAt: new Date(T0).toISOString(),
    })
    const refire = decision({ event_id: 'evt_10', at: new Date(T0 + 3 * 3_600_000).toISOString() })
    // Noise stage already closed and re-opened the incident; a re-fire after the resolve is a new incident.
    const out = acknowledgedStage(draft, [resolve, refire], [resolve, refire], stageDeps, T0 + 3 * 3_600_000)
    expect(out).toEqual([resolve, refire])
    expect(draft.noise.acks).toEqual({})
    const edits = draft.outbox.filter((item) => item.followUp?.type === 'slack-edit')
    // The older queued edit (acknowledged) is replaced by the newer one, which carries the whole status.
    expect(edits.map((item) => item.id)).toEqual(['edit:C_doors|1.0:2'])
    expect(edits[0]?.followUp).toMatchObject({
      status: { acknowledged: { by: 'U123' }, resolved: { at: T0 + 2 * 3_600_000, lastedMs: 2 * 3_600_000 } },
    })
  })

  it('a rollup message lists several incidents: each resolve is counted, the last one marks it resolved', () => {
    const draft = posted()
    const second = incidentKey('battery-low', { device_id: 'dev_2' })
    const record = draft.slackMessages!['C_doors|1.0']!
    const line = (device: string, id: string) => ({
      rule: 'battery-low',
      kind: 'fire' as const,
      group: { device_id: device },
      event_id: id,
      at: new Date(T0).toISOString(),
      deviceId: device,
    })
    draft.slackMessages!['C_doors|1.0'] = {
      ...record,
      incidents: [INCIDENT, second],
      groups: { ...record.groups, [second]: { rule: 'battery-low', device_id: 'dev_2' } },
      rollup: [line('dev_1', 'evt_1'), line('dev_2', 'evt_2')],
    }
    draft.threads[second] = draft.threads[INCIDENT]!
    const resolveOf = (device: string, id: string) =>
      decision({
        kind: 'resolve',
        event_id: id,
        group: { device_id: device },
        firedAt: new Date(T0).toISOString(),
      })
    const one = resolveOf('dev_1', 'evt_8')
    acknowledgedStage(draft, [one], [one], stageDeps, T0 + 1000)
    expect(draft.slackMessages!['C_doors|1.0']?.status).toEqual({ resolvedIncidents: [INCIDENT] })
    const two = resolveOf('dev_2', 'evt_9')
    acknowledgedStage(draft, [two], [two], stageDeps, T0 + 2000)
    const status = draft.slackMessages!['C_doors|1.0']?.status
    expect(status?.resolvedIncidents).toEqual([INCIDENT, second])
    expect(status?.resolved).toBeDefined()
    const edit = draft.outbox.filter((item) => item.followUp?.type === 'slack-edit')
    expect(edit).toHaveLength(1)
    expect(edit[0]?.followUp).toMatchObject({ rollup: [{ event_id: 'evt_1' }, { event_id: 'evt_2' }] })
  })
})
