import { describe, expect, it } from 'vitest'
import { alertLabels, labelValue, readPath } from '../../src/noise/labels.js'
import type { Decision } from '../../src/rules/decision.js'
import { Evaluator } from '../../src/rules/evaluator.js'
import { RuleSet } from '../../src/rules/rule-set.js'
import { emptyRuleState } from '../../src/rules/rule-state.js'
import { event, rule } from '../rules/helpers.js'

function decision(
  fields: Record<string, unknown>,
  group: Record<string, unknown> = {},
  kind = 'fire',
): Decision {
  const e = event('lock.unlocked', 0, fields)
  return {
    rule: 'r',
    kind,
    group,
    event_id: e.event_id,
    at: e.occurred_at,
    count: 1,
    suppressed: 0,
    event: e,
  } as Decision
}

describe('alert labels', () => {
  it('labels a real fire from the evaluator: reserved labels, ids, groupBy fields and flattened metadata', async () => {
    const evaluator = new Evaluator(
      RuleSet.from([
        rule({
          id: 'low-battery',
          severity: 'critical',
          eventTypes: ['device.low_battery'],
          groupBy: ['device_id'],
        }),
      ]),
    )
    const e = event('device.low_battery', 0, {
      device_id: 'dev_1',
      connected_account_id: 'ca_1',
      workspace_id: 'ws_1',
      battery_level: 0.1,
      device_custom_metadata: { site: 'hq', floor: 2, wired: false },
    })
    const [fire] = await evaluator.evaluate(emptyRuleState(), e)
    expect({ ...alertLabels(fire!, { severity: 'critical', deviceName: 'Front door' }) }).toEqual({
      rule: 'low-battery',
      kind: 'fire',
      severity: 'critical',
      event_type: 'device.low_battery',
      device_id: 'dev_1',
      connected_account_id: 'ca_1',
      workspace_id: 'ws_1',
      'device_custom_metadata.site': 'hq',
      'device_custom_metadata.floor': '2',
      'device_custom_metadata.wired': 'false',
      device_name: 'Front door',
    })
  })

  it('stringifies numbers and booleans as JSON does, objects as compact JSON; null, missing and "" give no label', () => {
    expect([3, 0.5, -1, true, false, 'x', { a: 1 }, [1, 'b']].map(labelValue)).toEqual([
      '3',
      '0.5',
      '-1',
      'true',
      'false',
      'x',
      '{"a":1}',
      '[1,"b"]',
    ])
    expect([null, undefined, '', Number.NaN].map(labelValue)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ])
    const labels = alertLabels(
      decision({ access_code_id: 'ac_1', device_id: null, workspace_id: '' }, { lock: null }),
      {
        severity: 'info',
      },
    )
    expect(Object.keys(labels).sort()).toEqual(['access_code_id', 'event_type', 'kind', 'rule', 'severity'])
  })

  it('takes every groupBy field from the group and reads a dotted one through the event when the group has null', () => {
    const d = decision(
      { device_custom_metadata: { site: 'hq', zone: { id: 'z1' } }, method: 'keypad', code: 1234 },
      {
        method: 'keypad',
        code: 1234,
        'device_custom_metadata.site': null,
        'device_custom_metadata.zone.id': null,
      },
    )
    const labels = alertLabels(d, { severity: 'warning' })
    expect(labels['method']).toBe('keypad')
    expect(labels['code']).toBe('1234')
    expect(labels['device_custom_metadata.site']).toBe('hq')
    expect(labels['device_custom_metadata.zone.id']).toBe('z1')
    expect(readPath({ 'a.b': 1, a: { b: 2 } }, 'a.b')).toBe(1)
    expect(readPath({ a: { b: [1] } }, 'a.b.0')).toBeUndefined()
  })

  it('lets the reserved labels win over a groupBy field or metadata key of the same name, and labels a resolve', () => {
    const d = decision({ rule: 'spoof', kind: 'x' }, { rule: 'spoof', kind: 'x' }, 'resolve')
    const labels = alertLabels(d, { severity: 'warning' })
    expect(labels['rule']).toBe('r')
    expect(labels['kind']).toBe('resolve')
  })

  it('is safe with odd keys: a metadata key "__proto__" is just a label', () => {
    const metadata = JSON.parse('{"__proto__": "x", "site-id": "7"}')
    const labels = alertLabels(decision({ device_custom_metadata: metadata }), { severity: 'info' })
    expect(labels['device_custom_metadata.__proto__']).toBe('x')
    expect(labels['device_custom_metadata.site-id']).toBe('7')
    expect(Object.isFrozen(labels)).toBe(true)
  })
})
