import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseActionArg } from '../../src/cli/commands/test-notify.js'
import { loadConfig, parseConfig } from '../../src/config.js'
import { formatIssue } from '../../src/errors.js'
import { findReservedKeys } from '../../src/input/reserved-keys.js'
import { parseRuleText, parseRuleValue } from '../../src/rules/rule-parse.js'
import { inputErrorOf } from '../helpers/input-error.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'seam-alerts-input-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const base = '"id": "x", "eventTypes": ["lock.locked"]'
const ruleLines = (text: string, env: NodeJS.ProcessEnv = {}) =>
  parseRuleText(text, 'r.json', env).issues.map(formatIssue)
const configLines = (text: string, env: NodeJS.ProcessEnv = {}) =>
  inputErrorOf(() => parseConfig(JSON.parse(text), 'c.json', env)).issues.map(formatIssue)

describe('"__proto__" keys are unknown fields, at every depth (issue 17 item 12)', () => {
  it.each([
    [
      'top level',
      `{${base}, "__proto__": {"enabled": false}}`,
      'r.json: $.__proto__: unknown field "__proto__"',
    ],
    [
      'in a strict block',
      `{${base}, "window": {"count": 2, "within": "1m", "__proto__": {"count": 1}}}`,
      'r.json: $.window.__proto__: unknown field "__proto__"',
    ],
    [
      'in an action',
      `{${base}, "actions": [{"type": "console", "__proto__": {"title": "x"}}]}`,
      'r.json: $.actions[0].__proto__: unknown field "__proto__"',
    ],
    [
      'in a record (condition params)',
      `{${base}, "conditions": {"all": [{"fact": "a", "operator": "equal", "value": 1, "params": {"__proto__": {}}}]}}`,
      'r.json: $.conditions.all[0].params.__proto__: unknown field "__proto__"',
    ],
    [
      'in a condition value',
      `{${base}, "conditions": {"all": [{"fact": "a", "operator": "equal", "value": {"__proto__": {"x": 1}}}]}}`,
      'r.json: $.conditions.all[0].value.__proto__: unknown field "__proto__"',
    ],
    [
      'in a condition (worded by the condition validator, once)',
      `{${base}, "conditions": {"all": [{"fact": "a", "operator": "equal", "value": 1, "__proto__": {"path": "$.b"}}]}}`,
      'r.json: $.conditions.all[0].__proto__: unknown field "__proto__" (allowed here: fact, operator, value, path, params, priority, name)',
    ],
  ])('rule file, %s', (_name, text, expected) => {
    expect(ruleLines(text)).toEqual([expected])
    expect(parseRuleText(text, 'r.json').rule).toBeUndefined()
  })

  it('config file: nested, top level and inside a monitor action', () => {
    expect(configLines('{"server": {"__proto__": {"host": "0.0.0.0"}}}')).toEqual([
      'c.json: $.server: unknown field "__proto__"',
    ])
    expect(configLines('{"__proto__": {"state": "/tmp/elsewhere.json"}}')).toEqual([
      'c.json: $: unknown field "__proto__"',
    ])
    expect(
      configLines('{"monitor": {"actions": [{"type": "console", "__proto__": {"title": "x"}}]}}'),
    ).toEqual(['c.json: $.monitor.actions[0]: unknown field "__proto__"'])
  })

  it('is reported together with every other problem, in one round', () => {
    expect(
      configLines('{"seam": {"pollInterval": "soon", "__proto__": {}}, "timezone": "${TZ_NOPE}"}'),
    ).toEqual([
      'c.json: $.seam: unknown field "__proto__"',
      'c.json: $.timezone: environment variable TZ_NOPE is not set',
      'c.json: $.seam.pollInterval: expected a duration like "500ms", "30s", "10m", "2h" or "7d", got "soon"',
    ])
  })

  it('--action arguments go through the same path', () => {
    const error = inputErrorOf(() => parseActionArg('{"type": "console", "__proto__": {"title": "x"}}', {}))
    expect(error.issues.map(formatIssue)).toEqual(['--action: $.__proto__: unknown field "__proto__"'])
  })

  it('"constructor" and "prototype" are unknown fields of strict objects and plain names in records', () => {
    expect(ruleLines(`{${base}, "constructor": {"enabled": false}}`)).toEqual([
      'r.json: $.constructor: unknown field "constructor"',
    ])
    expect(configLines('{"server": {"prototype": {"host": "0.0.0.0"}}}')).toEqual([
      'c.json: $.server: unknown field "prototype"',
    ])
    const named = parseRuleValue(
      {
        id: 'x',
        eventTypes: ['lock.locked'],
        sharedConditions: { constructor: { all: [{ fact: 'a', operator: 'equal', value: 1 }] } },
        conditions: { condition: 'constructor' },
      },
      'r.json',
    )
    expect(named.issues).toEqual([])
    expect(Object.keys(named.rule?.sharedConditions ?? {})).toEqual(['constructor'])
  })

  it('findReservedKeys walks arrays and deep nesting without recursion', () => {
    expect(
      findReservedKeys(JSON.parse('[{"a": {"__proto__": 1}}, {"__proto__": {"__proto__": 2}}]')),
    ).toEqual([
      { at: [0, 'a'], key: '__proto__' },
      { at: [1], key: '__proto__' },
      { at: [1, '__proto__'], key: '__proto__' },
    ])
    const deep = JSON.parse(`${'{"a":'.repeat(50_000)}{"__proto__": 1}${'}'.repeat(50_000)}`)
    expect(findReservedKeys(deep)).toHaveLength(1)
  })
})

describe('one parse → validate → `file: $.path: message` path for config and rule files', () => {
  it('finds JSON syntax errors with the same scanner, with line and column (wording pinned per format)', async () => {
    const text = '{\n  "seam": {,\n}'
    const file = path.join(dir, 'broken.json')
    await writeFile(file, text)
    expect(inputErrorOf(() => parseActionArg(text, {})).issues.map(formatIssue)).toEqual([
      '--action: $: invalid JSON at line 2 column 12: unexpected ",", expected a property name in double quotes',
    ])
    expect(ruleLines(text)).toEqual([
      'r.json: $: invalid JSON at line 2 column 12: unexpected ",", expected a property name in double quotes',
    ])
    const error = await loadConfig(file, {}).catch((caught: unknown) => caught)
    expect((error as Error).message.split('\n')[0]).toBe(
      `${file}: $: not valid JSON at line 2 column 12: unexpected ",", expected a property name in double quotes`,
    )
  })

  it('never echoes a value that came from ${ENV}, in rule files as in config files', () => {
    const env = { THROTTLE: '5 minutes' }
    expect(ruleLines(`{${base}, "throttle": "\${THROTTLE}"}`, env)).toEqual([
      'r.json: $.throttle: expected a duration like "500ms", "30s", "10m", "2h" or "7d"',
    ])
    expect(configLines('{"absenceLateness": "${THROTTLE}"}', env)).toEqual([
      'c.json: $.absenceLateness: expected a duration like "500ms", "30s", "10m", "2h" or "7d"',
    ])
    expect(ruleLines(`{${base}, "throttle": "5 minutes"}`)).toEqual([
      'r.json: $.throttle: expected a duration like "500ms", "30s", "10m", "2h" or "7d", got "5 minutes"',
    ])
  })

  it('checks time zones the same way in config and rule files', () => {
    expect(configLines('{"timezone": "Mars/Olympus"}')).toEqual([
      'c.json: $.timezone: unknown IANA time zone (e.g. "Europe/Berlin"), got "Mars/Olympus"',
    ])
    expect(ruleLines(`{${base}, "digest": {"cron": "0 9 * * *", "timezone": "Mars/Olympus"}}`)).toEqual([
      'r.json: $.digest.timezone: unknown IANA time zone (e.g. "Europe/Berlin"), got "Mars/Olympus"',
    ])
  })

  it('still rejects bad URLs and email addresses (z.url, z.email)', () => {
    expect(configLines('{"slack": {"apiUrl": "not a url"}}')).toEqual(['c.json: $.slack.apiUrl: Invalid URL'])
    expect(ruleLines(`{${base}, "actions": [{"type": "email", "to": ["nobody"]}]}`)).toEqual([
      'r.json: $.actions[0].to[0]: Invalid email address, got "nobody"',
    ])
  })

  it('accepts "$schema" in a config file and ignores it', () => {
    const config = parseConfig({ $schema: './config.schema.json' }, 'c.json', {})
    expect(config.server).toEqual({ host: '127.0.0.1', port: 9464 })
  })
})

describe('a document nested deeper than the stack allows is one issue, not a RangeError', () => {
  const deep = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`
  it('config file: CONFIG_INVALID naming the first too-deep path', () => {
    const error = inputErrorOf(() => parseConfig(JSON.parse(`{"seam": ${deep(100_000)}}`), 'c.json', {}))
    expect(error.code).toBe('CONFIG_INVALID')
    expect(error.issues).toHaveLength(1)
    expect(formatIssue(error.issues[0]!)).toMatch(
      /^c\.json: \$\.seam(\.a){99}: JSON nested more than 100 levels deep \(the limit is 100\)$/,
    )
  })
  it('--action: USAGE with the path', () => {
    const error = inputErrorOf(() => parseActionArg(`{"type": "console", "x": ${deep(50_000)}}`, {}))
    expect(error.code).toBe('USAGE')
    expect(formatIssue(error.issues[0]!)).toContain('JSON nested more than 100 levels deep')
  })
})
