import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { type DaemonProcess, spawnCli } from '../daemon/helpers/daemon-process.js'

/**
 * Issue 12: `inTimeInterval` through the real CLI with real rule files: correct across the Europe/Berlin DST
 * changes of 2026 (29 March 01:00 UTC, CET to CEST; 25 October 01:00 UTC, back) and for negative days_of_month;
 * config names resolved by `replay --config`; validate errors with the file and the JSON path.
 */
const dirs: string[] = []
const children: DaemonProcess[] = []
afterEach(async () => {
  for (const child of children.splice(0)) if (child.child.exitCode === null) child.kill('SIGKILL')
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})

async function workDir(rules: Record<string, unknown>, config?: unknown): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'time-intervals-'))
  dirs.push(dir)
  await mkdir(path.join(dir, 'rules'))
  for (const [id, rule] of Object.entries(rules))
    await writeFile(path.join(dir, 'rules', `${id}.json`), JSON.stringify(rule, null, 2))
  if (config !== undefined) await writeFile(path.join(dir, 'config.json'), JSON.stringify(config, null, 2))
  return dir
}

async function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnCli(args)
  children.push(child)
  const { code } = await child.exited
  return { code, stdout: child.stdout(), stderr: child.stderr() }
}

const inInterval = (id: string, value: unknown) => ({
  id,
  eventTypes: ['lock.unlocked'],
  conditions: { all: [{ fact: 'occurred_at', operator: 'inTimeInterval', value }] },
})

const BERLIN = 'Europe/Berlin'
/** Events named for what they are; the expected fires per rule are listed by name below. */
const EVENTS: Record<string, string> = {
  sat_0830_cet: '2026-03-28T07:30:00Z', // Saturday 08:30 CET
  sat_0759_cet: '2026-03-28T06:59:00Z', // 07:59 CET: before business hours
  sun_0830_cest: '2026-03-29T06:30:00Z', // 08:30 CEST (a fixed +01:00 would read 07:30)
  sun_0759_cest: '2026-03-29T05:59:00Z', // 07:59 CEST (a fixed +01:00 would read 06:59)
  sun_1800_cest: '2026-03-29T16:00:00Z', // 18:00 CEST: the end is exclusive
  sun_0159_cet: '2026-03-29T00:59:00Z', // 01:59 CET, the last minute before the gap
  sun_0300_cest: '2026-03-29T01:00:00Z', // 03:00 CEST, the first minute after it (02:xx does not exist)
  oct_0230_cest: '2026-10-25T00:30:00Z', // 02:30 CEST, first pass through the repeated hour
  oct_0230_cet: '2026-10-25T01:30:00Z', // 02:30 CET, second pass
  oct_0300_cet: '2026-10-25T02:00:00Z', // 03:00 CET
  feb_28: '2026-02-28T12:00:00Z', // last day of February 2026
  mar_31_2330: '2026-03-31T21:30:00Z', // 23:30 on 31 March in Berlin (last day)
  apr_01_0030: '2026-03-31T22:30:00Z', // 31 March in UTC, already 1 April in Berlin
  leap_feb_28: '2028-02-28T12:00:00Z', // not the last day in a leap year
  leap_feb_29: '2028-02-29T12:00:00Z',
}

const RULES = {
  'business-hours': inInterval('business-hours', {
    times: [{ start_time: '08:00', end_time: '18:00' }],
    location: BERLIN,
  }),
  'two-oclock-hour': inInterval('two-oclock-hour', {
    times: [{ start_time: '02:00', end_time: '03:00' }],
    location: BERLIN,
  }),
  'last-day': inInterval('last-day', [{ days_of_month: ['-1'], location: BERLIN }]),
  'named-weekend': inInterval('named-weekend', 'weekend'),
}
const CONFIG = {
  rules: './rules',
  timeIntervals: { weekend: [{ weekdays: ['saturday', 'sunday'], location: BERLIN }] },
}

const EXPECTED: Record<string, string[]> = {
  'business-hours': ['sat_0830_cet', 'sun_0830_cest', 'feb_28', 'leap_feb_28', 'leap_feb_29'],
  'two-oclock-hour': ['oct_0230_cest', 'oct_0230_cet'],
  'last-day': ['feb_28', 'mar_31_2330', 'leap_feb_29'],
  'named-weekend': [
    'sat_0830_cet',
    'sat_0759_cet',
    'sun_0830_cest',
    'sun_0759_cest',
    'sun_1800_cest',
    'sun_0159_cet',
    'sun_0300_cest',
    'oct_0230_cest',
    'oct_0230_cet',
    'oct_0300_cet',
    'feb_28',
  ],
}

async function eventsFile(dir: string): Promise<string> {
  const file = path.join(dir, 'events.jsonl')
  const lines = Object.entries(EVENTS).map(([id, occurred]) =>
    JSON.stringify({
      event_id: id,
      event_type: 'lock.unlocked',
      created_at: occurred,
      occurred_at: occurred,
      workspace_id: 'ws_1',
      device_id: 'dev_1',
    }),
  )
  await writeFile(file, `${lines.join('\n')}\n`)
  return file
}

describe('inTimeInterval through replay (real rule files, real CLI)', () => {
  it('is right across both Berlin DST changes and for negative days_of_month; --config resolves names', async () => {
    const dir = await workDir(RULES, CONFIG)
    const events = await eventsFile(dir)
    const [withConfig, without] = await Promise.all([
      cli(['replay', '--events', events, '--config', path.join(dir, 'config.json')]),
      cli(['replay', '--events', events, '--rules', path.join(dir, 'rules')]),
    ])
    expect(withConfig.stderr).toBe('')
    expect(withConfig.code).toBe(0)
    const fired: Record<string, string[]> = {}
    for (const line of withConfig.stdout.trim().split('\n')) {
      const decision = JSON.parse(line) as { rule: string; kind: string; event_id: string }
      expect(decision.kind).toBe('fire')
      fired[decision.rule] = [...(fired[decision.rule] ?? []), decision.event_id]
    }
    for (const list of Object.values(fired)) list.sort()
    expect(fired).toEqual(
      Object.fromEntries(Object.entries(EXPECTED).map(([rule, ids]) => [rule, ids.sort()])),
    )

    // Without --config a name cannot be resolved: a usage error naming the rule file and the path, no output.
    expect(without.code).toBe(1)
    expect(without.stdout).toBe('')
    expect(without.stderr.trim()).toBe(
      `${path.join(dir, 'rules', 'named-weekend.json')}: $.conditions.all[0].value: time interval "weekend" is a config timeIntervals name: pass --config FILE to resolve it, or write the spec inline`,
    )
  }, 120_000)

  it('validate names the file and the JSON path of a bad inline spec and of an unknown name', async () => {
    const dir = await workDir(
      {
        bad: {
          ...inInterval('bad', { weekdays: ['funday'], times: [{ start_time: '18:00', end_time: '08:00' }] }),
          muteTimes: ['nights'],
        },
        list: inInterval('list', [{ location: 'Mars/Olympus' }, { days_of_month: ['0'], colour: 'red' }]),
        self: { ...inInterval('self', 'weekend'), inhibitedBy: [{ rule: 'self' }, { rule: 'missing' }] },
      },
      CONFIG,
    )
    const file = (id: string) => path.join(dir, 'rules', `${id}.json`)
    const [withConfig, without] = await Promise.all([
      cli(['validate', '--config', path.join(dir, 'config.json')]),
      cli(['validate', '--rules', path.join(dir, 'rules')]),
    ])
    expect(withConfig.stderr).toBe('')
    expect(withConfig.code).toBe(1)
    expect(withConfig.stdout.trim().split('\n')).toEqual([
      `${file('bad')}: $.conditions.all[0].value.times[0].end_time: expected start_time before end_time (split a range across midnight in two)`,
      `${file('bad')}: $.conditions.all[0].value.weekdays[0]: expected a weekday name like "monday", got "funday"`,
      `${file('list')}: $.conditions.all[0].value[0].location: expected an IANA time zone like "Europe/Berlin" or "UTC"`,
      `${file('list')}: $.conditions.all[0].value[1].days_of_month[0]: expected a day of the month in 1..31 or -31..-1, got 0`,
      `${file('list')}: $.conditions.all[0].value[1].colour: unknown field "colour" (allowed: times, weekdays, days_of_month, months, years, location)`,
      `${file('self')}: $.inhibitedBy[0].rule: a rule cannot inhibit itself: name another rule`,
      `6 problem(s) in ${path.join(dir, 'rules')}`,
    ])
    // The bad inline specs are problems with or without a config; names are only warnings without one.
    expect(without.code).toBe(1)
    expect(without.stdout).not.toContain('warning: cannot check time interval name "nights"') // bad.json is invalid
    expect(without.stdout).toContain(`6 problem(s) in ${path.join(dir, 'rules')}`)

    // Once the specs are fixed: the unknown muteTimes name is a problem with --config, a warning without.
    const fixed = await workDir(
      {
        quiet: { ...inInterval('quiet', 'weekend'), muteTimes: ['nights'] },
        target: { ...inInterval('target', { weekdays: ['monday'] }), inhibitedBy: [{ rule: 'missing' }] },
      },
      CONFIG,
    )
    const fixedFile = (id: string) => path.join(fixed, 'rules', `${id}.json`)
    const [strict, lenient] = await Promise.all([
      cli(['validate', '--config', path.join(fixed, 'config.json')]),
      cli(['validate', '--rules', path.join(fixed, 'rules')]),
    ])
    expect(strict.code).toBe(1)
    expect(strict.stdout.trim().split('\n')).toEqual([
      `${fixedFile('quiet')}: $.muteTimes[0]: unknown time interval "nights" (config timeIntervals defines: weekend)`,
      `${fixedFile('target')}: $.inhibitedBy[0].rule: warning: no rule has id "missing"; this entry inhibits nothing`,
      `1 problem(s) in ${path.join(fixed, 'rules')}, 1 warning(s)`,
    ])
    expect(lenient.code).toBe(0)
    expect(lenient.stdout.trim().split('\n')).toEqual([
      `${fixedFile('quiet')}: $.conditions.all[0].value: warning: cannot check time interval name "weekend" without --config`,
      `${fixedFile('quiet')}: $.muteTimes[0]: warning: cannot check time interval name "nights" without --config`,
      `${fixedFile('target')}: $.inhibitedBy[0].rule: warning: no rule has id "missing"; this entry inhibits nothing`,
      `2 rule file(s) OK in ${path.join(fixed, 'rules')}: 2 rule(s), 2 enabled, 3 warning(s)`,
    ])
  }, 120_000)
})
