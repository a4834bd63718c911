import { describe, expect, it } from 'vitest'
import { manualClock } from '../../src/clock.js'
import { CONDITION_ERROR_LOG_EVERY_MS, conditionErrorReporter } from '../../src/daemon/condition-errors.js'
import { DaemonMetrics } from '../../src/daemon/metrics.js'
import { Evaluator } from '../../src/rules/evaluator.js'
import { RuleSet } from '../../src/rules/rule-set.js'
import { emptyRuleState } from '../../src/rules/rule-state.js'
import { captureLogger, T0 } from '../helpers/fixtures.js'
import { event, rule } from '../rules/helpers.js'

describe('rule conditions that throw at run time', () => {
  // `swap:in` asks the fact to contain the value: a number fact makes json-rules-engine's operator throw.
  const throwing = rule({
    id: 'odd-condition',
    eventTypes: ['lock.locked'],
    conditions: { all: [{ fact: 'battery_level', operator: 'swap:in', value: 'x' }] },
  })

  it('are logged once per rule every ten minutes, naming the rule, the event and the error, and counted', async () => {
    const clock = manualClock(T0)
    const log = captureLogger()
    const logger = log.logger
    const metrics = new DaemonMetrics()
    const evaluator = new Evaluator(
      RuleSet.from([throwing]),
      conditionErrorReporter({ logger, clock, metrics }),
    )
    const state = emptyRuleState()
    const feed = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const e = {
          ...event('lock.locked', i * 1000, { battery_level: 5 }),
          event_id: `evt_${clock.now()}_${i}`,
        }
        expect(await evaluator.evaluate(state, e)).toEqual([])
      }
    }
    await feed(3)
    await new Promise((resolve) => setImmediate(resolve)) // pino writes on the next turn
    const warnings = () => log.lines.filter((line) => line.rule === 'odd-condition')
    expect(warnings()).toHaveLength(1)
    expect(warnings()[0]).toMatchObject({ level: 40, event_type: 'lock.locked' })
    expect(String(warnings()[0]?.msg)).toMatch(
      /^rule odd-condition: a condition failed on event evt_\d+_0 \(lock\.locked\): .+\. The rule does not match/,
    )
    clock.advance(CONDITION_ERROR_LOG_EVERY_MS)
    await feed(1)
    await new Promise((resolve) => setImmediate(resolve))
    expect(warnings()).toHaveLength(2)
    expect(String(warnings()[1]?.msg)).toContain('(2 more since the last report)')
    expect(evaluator.conditionErrors).toBe(4)
    expect(await metrics.registry.metrics()).toContain(
      'seam_alerts_condition_errors_total{rule="odd-condition"} 4',
    )
  })
})
