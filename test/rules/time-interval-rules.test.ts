import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { silentLogger } from '../../src/log.js'
import { ruleFingerprint } from '../../src/rules/compiled-rule.js'
import { Evaluator } from '../../src/rules/evaluator.js'
import { combineRuleFiles } from '../../src/rules/rule-loader.js'
import { parseRuleValue } from '../../src/rules/rule-parse.js'
import { RuleSet } from '../../src/rules/rule-set.js'
import { emptyRuleState } from '../../src/rules/rule-state.js'
import { RuleWatcher } from '../../src/rules/rule-watcher.js'
import { event, rule } from './helpers.js'

const NAMED = {
  'business-hours': [
    {
      weekdays: ['monday:friday'],
      times: [{ start_time: '08:00', end_time: '18:00' }],
      location: 'Europe/Berlin',
    },
  ],
}
// T0_RULES is Thursday 1 January 2026, 00:00 UTC (01:00 in Berlin): outside business hours; +8 h is inside.
const HOUR = 3_600_000

describe('inTimeInterval with config names', () => {
  it('resolves a name through the rule set, on the compiled path and on the engine path alike', async () => {
    const leaf = { fact: 'occurred_at', operator: 'inTimeInterval', value: 'business-hours' }
    const compiledRule = rule({ id: 'fast', eventTypes: ['lock.unlocked'], conditions: { all: [leaf] } })
    // A shared condition reference is evaluated by a real json-rules-engine Engine.
    const engineRule = rule({
      id: 'engine',
      eventTypes: ['lock.unlocked'],
      conditions: { any: [{ condition: 'open' }] },
      sharedConditions: { open: { all: [leaf] } },
    })
    const set = RuleSet.from([compiledRule, engineRule], NAMED)
    expect(set.getCompiled('fast')!.trigger.sync).toBeDefined()
    expect(set.getCompiled('engine')!.trigger.engine).toBeDefined()
    const evaluator = new Evaluator(set)
    const state = emptyRuleState()
    const fired = async (offset: number) =>
      (await evaluator.evaluate(state, event('lock.unlocked', offset))).map((d) => d.rule)
    expect(await fired(0)).toEqual([])
    expect(await fired(8 * HOUR)).toEqual(['engine', 'fast'])
    expect(await fired(17 * HOUR - 1)).toEqual(['engine', 'fast']) // 17:59:59 in Berlin (CET)
    expect(await fired(17 * HOUR)).toEqual([]) // 18:00: the end is exclusive
    // Without the config the name stays unresolved and matches nothing (load-time checks report it first).
    const bare = new Evaluator(RuleSet.from([compiledRule, engineRule]))
    expect(await bare.evaluate(emptyRuleState(), event('lock.unlocked', 8 * HOUR))).toEqual([])
  })
})

describe('muteTimes and inhibitedBy are routing, not detection', () => {
  const base = { id: 'target', eventTypes: ['device.disconnected'], groupBy: ['device_id'], throttle: '10m' }

  it('are not part of the rule fingerprint (changing them keeps the rule state)', () => {
    const plain = rule(base)
    const routed = rule({
      ...base,
      muteTimes: ['business-hours'],
      inhibitedBy: [{ rule: 'site-offline', equal: ['device_custom_metadata.site'] }],
    })
    expect(routed.muteTimes).toEqual(['business-hours'])
    expect(routed.inhibitedBy).toEqual([{ rule: 'site-offline', equal: ['device_custom_metadata.site'] }])
    expect(ruleFingerprint(routed)).toBe(ruleFingerprint(plain))
    // ...while a detection field still changes it.
    expect(ruleFingerprint(rule({ ...base, throttle: '11m' }))).not.toBe(ruleFingerprint(plain))
  })

  it('default to empty, and inhibitedBy.equal defaults to []', () => {
    const parsed = rule({ ...base, inhibitedBy: [{ rule: 'site-offline' }] })
    expect(parsed.inhibitedBy).toEqual([{ rule: 'site-offline', equal: [] }])
    expect(rule(base).muteTimes).toEqual([])
  })

  it('rejects a rule inhibiting itself and a malformed interval name, with paths', () => {
    const parsed = parseRuleValue(
      { ...base, muteTimes: ['bad name'], inhibitedBy: [{ rule: 'target' }] },
      'target.json',
    )
    expect(parsed.rule).toBeUndefined()
    expect(parsed.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      '$.muteTimes[0]: expected the name of a config "timeIntervals" entry, got "bad name"',
      '$.inhibitedBy[0].rule: a rule cannot inhibit itself: name another rule',
    ])
  })

  it('warns about an inhibitedBy rule that does not exist or can never be open', () => {
    const source = rule({ id: 'source', eventTypes: ['device.disconnected'] })
    const target = rule({ ...base, inhibitedBy: [{ rule: 'source' }, { rule: 'nope' }] })
    const { issues, warnings } = combineRuleFiles(
      new Map([
        ['source.json', { rule: source, issues: [] }],
        ['target.json', { rule: target, issues: [] }],
      ]),
      { warnings: false },
    )
    expect(issues).toEqual([])
    expect(warnings).toEqual([
      {
        file: 'target.json',
        path: '$.inhibitedBy[0].rule',
        message:
          'warning: rule "source" has neither "resolve" nor "throttle", so its incidents are never open; this entry inhibits nothing',
      },
      {
        file: 'target.json',
        path: '$.inhibitedBy[1].rule',
        message: 'warning: no rule has id "nope"; this entry inhibits nothing',
      },
    ])
  })
})

describe('the daemon load path (RuleWatcher with the config timeIntervals)', () => {
  it('resolves known names, and reports an unknown one as a problem of its file, which is not loaded', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'interval-names-'))
    const leaf = (value: string) => ({ fact: 'occurred_at', operator: 'inTimeInterval', value })
    const file = (id: string, extra: Record<string, unknown>) =>
      writeFile(path.join(dir, `${id}.json`), JSON.stringify({ id, eventTypes: ['lock.unlocked'], ...extra }))
    await file('known', { conditions: { all: [leaf('business-hours')] }, muteTimes: ['business-hours'] })
    await file('unknown', { muteTimes: ['nights'] })
    const watcher = new RuleWatcher({
      dir,
      logger: silentLogger,
      rescanMs: 0,
      env: {},
      intervals: { named: NAMED },
      onChange: () => {},
    })
    try {
      const { ruleSet, issues } = await watcher.start()
      expect(issues).toEqual([
        {
          file: path.join(dir, 'unknown.json'),
          path: '$.muteTimes[0]',
          message: 'unknown time interval "nights" (config timeIntervals defines: business-hours)',
        },
      ])
      expect(ruleSet.rules.map((r) => r.id)).toEqual(['known'])
      expect(ruleSet.get('known')!.muteTimes).toEqual(['business-hours'])
      const state = emptyRuleState()
      const evaluator = new Evaluator(ruleSet)
      expect(await evaluator.evaluate(state, event('lock.unlocked', 8 * HOUR))).toHaveLength(1)
    } finally {
      watcher.stop()
      await rm(dir, { recursive: true, force: true })
    }
  })
})
