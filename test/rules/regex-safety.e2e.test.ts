import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { compileCondition } from '../../src/rules/condition-compiler.js'
import type { TopCondition } from '../../src/rules/condition-types.js'
import { EngineMatcher } from '../../src/rules/engine-matcher.js'
import { compileRegex } from '../../src/rules/safe-regex.js'
import { type DaemonProcess, spawnCli } from '../daemon/helpers/daemon-process.js'

/**
 * Issue 17, item 1: every `matches` pattern runs on RE2 (linear time). With JavaScript's backtracking RegExp,
 * `^(a+)+$` against 34 `a`s and a `b` takes minutes and ignores SIGTERM.
 */
const REDOS = '^(a+)+$'
const EVIL = `${'a'.repeat(34)}b`

const dirs: string[] = []
const children: DaemonProcess[] = []
afterEach(async () => {
  // A process still running here is stuck in a backtracking match: it ignores SIGTERM.
  for (const child of children.splice(0)) if (child.child.exitCode === null) child.kill('SIGKILL')
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})

async function rulesDir(files: Record<string, unknown>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'regex-safety-'))
  dirs.push(dir)
  await mkdir(path.join(dir, 'rules'))
  for (const [name, rule] of Object.entries(files))
    await writeFile(path.join(dir, 'rules', name), JSON.stringify(rule, null, 2))
  return dir
}

function cli(args: string[]): DaemonProcess {
  const child = spawnCli(args)
  children.push(child)
  return child
}

const event = (id: string, minute: number, deviceName: string) => ({
  event_id: id,
  event_type: 'device.low_battery',
  created_at: `2026-01-01T00:0${minute}:00.000Z`,
  occurred_at: `2026-01-01T00:0${minute}:00.000Z`,
  workspace_id: 'ws_1',
  device_id: 'dev_1',
  device_name: deviceName,
})

describe('matches runs in linear time (RE2)', () => {
  it('replay with a catastrophic-backtracking pattern finishes at once with the right decisions', async () => {
    const dir = await rulesDir({
      'name.json': {
        id: 'name',
        eventTypes: ['device.low_battery'],
        conditions: { all: [{ fact: 'device_name', operator: 'matches', value: REDOS }] },
      },
    })
    const events = path.join(dir, 'events.jsonl')
    const lines = [event('evt_1', 0, EVIL), event('evt_2', 1, 'a'.repeat(34)), event('evt_3', 2, 'b')]
    await writeFile(events, lines.map((line) => JSON.stringify(line)).join('\n'))
    const replay = cli(['replay', '--events', events, '--rules', path.join(dir, 'rules')])
    // Without RE2 this takes minutes; the test timeout below is the only clock involved.
    const { code } = await replay.exited
    expect(replay.stderr()).toBe('')
    expect(code).toBe(0)
    expect(
      replay
        .stdout()
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual([
      {
        rule: 'name',
        kind: 'fire',
        group: {},
        event_id: 'evt_2',
        at: '2026-01-01T00:01:00.000Z',
        count: 1,
        suppressed: 0,
      },
    ])
  }, 120_000)

  it('validate rejects what RE2 cannot run, naming the file and the JSON path', async () => {
    const dir = await rulesDir({
      'backref.json': {
        id: 'backref',
        eventTypes: ['device.low_battery'],
        conditions: {
          all: [
            { fact: 'device_name', operator: 'matches', value: '^(door)-\\1$' },
            { fact: 'device_name', operator: 'not:matches', value: { pattern: 'a(?=b)', flags: 'i' } },
            { fact: 'device_name', operator: 'someValue:matches', value: ['^ok$', '(?<!x)y'] },
            { fact: 'device_name', operator: 'matches', value: { pattern: 'x', flags: 'v' } },
          ],
        },
      },
    })
    const file = path.join(dir, 'rules', 'backref.json')
    const validate = cli(['validate', '--rules', path.join(dir, 'rules')])
    const { code } = await validate.exited
    // `validate` exits 1 on any problem (its documented contract); never a stack trace.
    expect(code).toBe(1)
    expect(validate.stderr()).toBe('')
    expect(validate.stdout().trim().split('\n')).toEqual([
      `${file}: $.conditions.all[0].value: invalid regular expression (RE2 syntax): invalid escape sequence: \`\\1\` (backreferences are not supported)`,
      `${file}: $.conditions.all[1].value: invalid regular expression (RE2 syntax): invalid or unsupported Perl syntax: \`(?=\` (lookahead and lookbehind are not supported)`,
      `${file}: $.conditions.all[2].value[1]: invalid regular expression (RE2 syntax): invalid named capture: \`(?<!x)y\` (lookahead and lookbehind are not supported)`,
      `${file}: $.conditions.all[3].value: invalid regular expression flags: flag "v" (Unicode sets) is not supported by RE2; use "u"`,
      `4 problem(s) in ${path.join(dir, 'rules')}`,
    ])
  }, 60_000)
})

describe('one RE2 module for the compiled predicate and the json-rules-engine fallback', () => {
  // Each case differs between RE2 and JavaScript's RegExp, so both paths agreeing on the RE2 answer shows both use it.
  it.each([
    { value: '(?i)^front', name: 'FRONT-door', matches: true }, // inline flags: a SyntaxError in JavaScript
    { value: '^\\s$', name: '\u00a0', matches: false }, // RE2's \s is ASCII whitespace only
    { value: '^.$', name: '\r', matches: true }, // RE2's . excludes only \n
    { value: { pattern: '^k$', flags: 'i' }, name: '\u212a', matches: true }, // Unicode case folding (Kelvin sign)
    { value: REDOS, name: EVIL, matches: false },
  ])('matches $value on $name', async ({ value, name, matches }) => {
    const conditions: TopCondition = { all: [{ fact: 'device_name', operator: 'matches', value }] }
    const compiled = compileCondition(conditions)
    expect(compiled).not.toBeNull()
    expect(compiled!({ device_name: name })).toBe(matches)
    expect(await new EngineMatcher(conditions).match({ device_name: name })).toBe(matches)
  })

  it('full mode (for silence matchers) matches the whole text; search mode anywhere', () => {
    const full = compileRegex('door|door-2', '', 'full')
    const search = compileRegex('door', '', 'search')
    expect(full.ok && search.ok).toBe(true)
    if (!full.ok || !search.ok) return
    expect(['door', 'door-2', 'front-door', 'door-3'].map((text) => full.regex.test(text))).toEqual([
      true,
      true,
      false,
      false,
    ])
    expect(['door', 'front-door', 'dor'].map((text) => search.regex.test(text))).toEqual([true, true, false])
  })
})
