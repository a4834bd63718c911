import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Command } from 'commander'
import { afterEach, describe, expect, it } from 'vitest'
import { register } from '../../src/cli/commands/validate.js'
import { formatIssue } from '../../src/errors.js'
import { ruleJsonSchemaText } from '../../src/rules/json-schema.js'
import { loadRuleDir } from '../../src/rules/rule-loader.js'
import { parseRuleText } from '../../src/rules/rule-parse.js'

const base = { id: 'x', eventTypes: ['lock.locked'] }
const messages = (raw: unknown, env: NodeJS.ProcessEnv = {}) =>
  parseRuleText(typeof raw === 'string' ? raw : JSON.stringify(raw), 'rules/x.json', env).issues.map(
    formatIssue,
  )

describe('rule validation messages: file: JSON path: message', () => {
  it.each([
    {
      name: 'unknown operator (lists the valid ones)',
      raw: { ...base, conditions: { all: [{ fact: 'a', operator: 'equals', value: 1 }] } },
      expected:
        /^rules\/x\.json: \$\.conditions\.all\[0\]\.operator: unknown operator "equals"; valid operators: equal, notEqual, in, .*matches, startsWith, endsWith/,
    },
    {
      name: 'bad duration',
      raw: { ...base, throttle: '1 hour' },
      expected:
        /^rules\/x\.json: \$\.throttle: expected a duration like "500ms", "30s", "10m", "2h" or "7d", got "1 hour"$/,
    },
    {
      name: 'unknown field',
      raw: { ...base, trottle: '1h' },
      expected: /^rules\/x\.json: \$\.trottle: unknown field "trottle"$/,
    },
    {
      name: 'unknown field inside a condition',
      raw: { ...base, conditions: { all: [{ fact: 'a', operator: 'equal', value: 1, vaule: 2 }] } },
      expected: /^rules\/x\.json: \$\.conditions\.all\[0\]\.vaule: unknown field "vaule"/,
    },
    {
      name: 'empty eventTypes',
      raw: { ...base, eventTypes: [] },
      expected: /^rules\/x\.json: \$\.eventTypes: eventTypes is empty/,
    },
    {
      name: 'absence together with window',
      raw: { ...base, window: { count: 2, within: '1m' }, absence: { eventTypes: ['a.b'], within: '1m' } },
      expected: /^rules\/x\.json: \$\.absence: "absence" cannot be combined with "window"/,
    },
    {
      name: 'bad regex in matches',
      raw: { ...base, conditions: { any: [{ fact: 'a', operator: 'matches', value: '([' }] } },
      expected:
        /^rules\/x\.json: \$\.conditions\.any\[0\]\.value: invalid regular expression \(RE2 syntax\): missing closing \]/,
    },
    {
      name: 'condition without fact',
      raw: { ...base, conditions: { all: [{ operator: 'equal', value: 1 }] } },
      expected: /^rules\/x\.json: \$\.conditions\.all\[0\]: condition without fact/,
    },
    {
      name: 'invalid JSON with line and column',
      raw: '{\n  "id": "x",\n  oops\n}',
      expected: /^rules\/x\.json: \$: invalid JSON at line 3 column 3/,
    },
    {
      name: 'unsupported path',
      raw: { ...base, conditions: { all: [{ fact: 'a', path: '$..b', operator: 'equal', value: 1 }] } },
      expected: /^rules\/x\.json: \$\.conditions\.all\[0\]\.path: unsupported path "\$\.\.b"/,
    },
    {
      name: 'bad cron in digest',
      raw: { ...base, digest: { cron: 'every day' } },
      expected: /^rules\/x\.json: \$\.digest\.cron: invalid cron expression/,
    },
    {
      name: 'missing env variable at its path',
      raw: { ...base, actions: [{ type: 'slack', webhookUrl: '${HOOK_URL}' }] },
      expected: /^rules\/x\.json: \$\.actions\[0\]\.webhookUrl: environment variable HOOK_URL is not set$/,
    },
    {
      name: 'unknown shared condition',
      raw: { ...base, conditions: { all: [{ condition: 'nope' }] } },
      expected: /^rules\/x\.json: \$\.conditions\.all\[0\]\.condition: unknown shared condition "nope"/,
    },
  ])('$name', ({ raw, expected }) => {
    const found = messages(raw)
    expect(
      found.some((line) => expected.test(line)),
      found.join('\n'),
    ).toBe(true)
  })

  it('accepts a complete rule and applies defaults', () => {
    const parsed = parseRuleText(
      JSON.stringify({
        ...base,
        $schema: './schema.json',
        digest: { cron: '0 9 * * *', timezone: 'Europe/Berlin' },
      }),
      'x.json',
    )
    expect(parsed.issues).toEqual([])
    expect(parsed.rule).toMatchObject({ severity: 'warning', enabled: true, groupBy: [], actions: [] })
  })

  it('expands ${ENV} references', () => {
    const raw = { ...base, actions: [{ type: 'slack', webhookUrl: '${HOOK_URL}' }] }
    const parsed = parseRuleText(JSON.stringify(raw), 'x.json', { HOOK_URL: 'https://hooks.example.com/T1' })
    expect(parsed.rule?.actions[0]).toMatchObject({ webhookUrl: 'https://hooks.example.com/T1' })
  })
})

describe('rule directories and `seam-alerts validate`', () => {
  const dirs: string[] = []
  afterEach(() => {
    process.exitCode = undefined
  })
  async function dirWith(files: Record<string, unknown>): Promise<string> {
    const dir = await mkdtemp(path.join(tmpdir(), 'rules-'))
    dirs.push(dir)
    await mkdir(dir, { recursive: true })
    for (const [name, body] of Object.entries(files))
      await writeFile(path.join(dir, name), typeof body === 'string' ? body : JSON.stringify(body))
    return dir
  }
  async function validate(dir: string): Promise<string> {
    let out = ''
    const stdout = {
      write: (text: string) => {
        out += text
        return true
      },
    } as unknown as NodeJS.WritableStream
    const program = new Command().exitOverride()
    register(program, { stdout, env: {} })
    await program.parseAsync(['node', 'seam-alerts', 'validate', '--rules', dir])
    return out
  }

  it('reports a duplicate id naming both files', async () => {
    const dir = await dirWith({ 'a.json': base, 'b.json': base })
    const { issues } = await loadRuleDir(dir)
    expect(issues.map(formatIssue)).toEqual([
      `${path.join(dir, 'b.json')}: $.id: duplicate id "x": also used in ${path.join(dir, 'a.json')}`,
    ])
  })

  it('prints each problem and sets exit code 1', async () => {
    const dir = await dirWith({ 'a.json': { ...base, throttle: 'soon' }, 'b.json': '{' })
    const out = await validate(dir)
    expect(out).toContain(`${path.join(dir, 'a.json')}: $.throttle: expected a duration`)
    expect(out).toContain(`${path.join(dir, 'b.json')}: $: invalid JSON`)
    expect(process.exitCode).toBe(1)
  })

  it('prints a one-line summary on success, with warnings for unknown exact event types', async () => {
    const dir = await dirWith({ 'a.json': { ...base, eventTypes: ['lock.locked', 'lock.brand_new_type'] } })
    const out = await validate(dir)
    expect(out).toContain('$.eventTypes[1]: warning: "lock.brand_new_type" is not a known Seam event type')
    expect(out.trim().split('\n').at(-1)).toMatch(
      /^1 rule file\(s\) OK in .*: 1 rule\(s\), 1 enabled, 1 warning\(s\)$/,
    )
    expect(process.exitCode).toBeUndefined()
  })

  it('prints invalid JSON as one line with line and column', async () => {
    const dir = await dirWith({ 'broken.json': '{\n "id": "x",\n "eventTypes": [\n}\n' })
    const out = await validate(dir)
    expect(out).toBe(
      `${path.join(dir, 'broken.json')}: $: invalid JSON at line 4 column 1: unexpected "}", expected a value\n` +
        `1 problem(s) in ${dir}\n`,
    )
    expect(process.exitCode).toBe(1)
  })

  it('prints unknown-event-type warnings also when files have errors, including the broken file', async () => {
    const dir = await dirWith({
      'a.json': { ...base, id: 'a', eventTypes: ['lock.nope_a'], throttle: 'soon' },
      'b.json': { ...base, id: 'b', eventTypes: ['lock.nope_b'] },
    })
    const out = await validate(dir)
    expect(out).toContain(`${path.join(dir, 'a.json')}: $.throttle: expected a duration`)
    expect(out).toContain(
      `${path.join(dir, 'a.json')}: $.eventTypes[0]: warning: "lock.nope_a" is not a known Seam event type`,
    )
    expect(out).toContain(
      `${path.join(dir, 'b.json')}: $.eventTypes[0]: warning: "lock.nope_b" is not a known Seam event type`,
    )
    expect(out.trim().split('\n').at(-1)).toBe(`1 problem(s) in ${dir}, 2 warning(s)`)
    expect(process.exitCode).toBe(1)
  })

  it('warns about an empty rules directory but exits 0', async () => {
    const dir = await dirWith({ 'notes.txt': 'not a rule' })
    const out = await validate(dir)
    expect(out).toBe(
      `${dir}: $: warning: no rule files (*.json) found; the daemon would run without any rules and never alert\n` +
        `0 rule file(s) OK in ${dir}: 0 rule(s), 0 enabled, 1 warning(s)\n`,
    )
    expect(process.exitCode).toBeUndefined()
  })

  it('warns when every rule is disabled', async () => {
    const dir = await dirWith({ 'a.json': { ...base, enabled: false } })
    expect(await validate(dir)).toContain(`${dir}: $: warning: every rule is disabled`)
    expect(process.exitCode).toBeUndefined()
  })

  it('reports a duplicate id when one of the two files has other errors (either order)', async () => {
    const broken = { ...base, throttle: 'soon' }
    const first = await dirWith({ 'a.json': broken, 'b.json': base })
    expect((await loadRuleDir(first)).issues.map(formatIssue)).toContain(
      `${path.join(first, 'b.json')}: $.id: duplicate id "x": also used in ${path.join(first, 'a.json')}`,
    )
    const second = await dirWith({ 'a.json': base, 'b.json': broken })
    const loaded = await loadRuleDir(second)
    expect(loaded.issues.map(formatIssue)).toContain(
      `${path.join(second, 'b.json')}: $.id: duplicate id "x": also used in ${path.join(second, 'a.json')}`,
    )
    expect(loaded.rules.map((rule) => rule.id)).toEqual(['x'])
    const badId = await dirWith({ 'a.json': base, 'b.json': { ...broken, id: 'x y' } })
    expect((await loadRuleDir(badId)).issues.map(formatIssue).join('\n')).not.toContain('duplicate')
  })

  it('the shipped rules validate with no environment variables set', async () => {
    const out = await validate(path.resolve('rules'))
    expect(out).toMatch(/^12 rule file\(s\) OK in .*: 12 rule\(s\), 12 enabled\n$/)
  })

  it('rules/schema.json equals a fresh generation from the zod schema (run `npm run schema`)', async () => {
    expect(await readFile(path.resolve('rules/schema.json'), 'utf8')).toBe(ruleJsonSchemaText())
  })
})

describe('the example rules in rules/examples', () => {
  it('validate once their environment variables are set, and name the variable when one is not', async () => {
    const { loadRuleDir } = await import('../../src/rules/rule-loader.js')
    const { formatIssue } = await import('../../src/errors.js')
    const dir = path.resolve('rules/examples')
    const env = {
      PD_ROUTING_KEY: 'R0UT1NGKEY0000000000000000000000',
      ALERT_WEBHOOK_URL: 'https://audit.example.com/seam',
      ALERT_WEBHOOK_SECRET: 'whsec-example',
    }
    const loaded = await loadRuleDir(dir, { env, warnings: false })
    expect(loaded.issues).toEqual([])
    expect(loaded.rules.map((rule) => [rule.id, rule.severity, rule.actions[0]?.type])).toEqual([
      ['access-code-audit', 'info', 'webhook'],
      ['device-tampered-pagerduty', 'critical', 'pagerduty'],
    ])
    const missing = await loadRuleDir(dir, { env: { ...env, PD_ROUTING_KEY: undefined }, warnings: false })
    expect(missing.issues.map(formatIssue)).toEqual([
      `${path.join(dir, 'device-tampered-pagerduty.json')}: $.actions[0].routingKey: environment variable PD_ROUTING_KEY is not set`,
    ])
  })
})

describe('PagerDuty, webhook and Teams actions in rule files', () => {
  it('rejects a malformed action with file: $.path: message, and never echoes a secret', () => {
    const lines = messages({
      ...base,
      actions: [
        { type: 'pagerduty' },
        { type: 'pagerduty', routingKey: 'pd-secret-value', severity: 'fatal' },
        { type: 'webhook', url: 'ftp://hooks.example.com/secret-path' },
        { type: 'webhook', url: 'https://hooks.example.com/x', headers: { 'X-Token': 7 } },
        { type: 'teams', webhookUrl: 'not a url' },
        { type: 'teams', webhookUrl: 'https://example.com/flow', channel: '#x' },
      ],
    })
    const at = (index: number, rest: string) =>
      lines.find((l) => l.startsWith(`rules/x.json: $.actions[${index}]${rest}: `))
    expect(at(0, '.routingKey')).toBeDefined()
    expect(at(1, '.severity')).toMatch(/critical.*error.*warning.*info/)
    expect(at(2, '.url')).toBeDefined()
    expect(at(3, '.headers["X-Token"]') ?? at(3, '.headers.X-Token')).toBeDefined()
    expect(at(4, '.webhookUrl')).toBeDefined()
    expect(at(5, '.channel') ?? at(5, '')).toBeDefined()
    expect(lines.join('\n')).not.toMatch(/pd-secret-value|secret-path/)
  })

  it('accepts the documented shapes', () => {
    expect(
      messages({
        ...base,
        actions: [
          { type: 'pagerduty', routingKey: 'k', severity: 'error' },
          {
            type: 'webhook',
            url: 'https://h.example/x',
            secret: 's',
            headers: { Authorization: 'Bearer t' },
          },
          { type: 'teams', webhookUrl: 'https://prod.westeurope.logic.azure.com/workflows/abc' },
        ],
      }),
    ).toEqual([])
  })
})
