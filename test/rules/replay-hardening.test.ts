import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { PassThrough } from 'node:stream'
import { Command } from 'commander'
import { afterEach, describe, expect, it } from 'vitest'
import { register } from '../../src/cli/commands/replay.js'

/** Issue 17, items 2, 7 and 13, through the real `seam-alerts replay` command code. */

let dir: string | undefined

afterEach(async () => {
  process.exitCode = undefined
  if (dir) await rm(dir, { recursive: true, force: true })
  dir = undefined
})

/** Write the rules and the event lines (objects are JSON-encoded, strings written as they are), then replay. */
async function replay(
  rules: object[],
  lines: Array<object | string>,
  config?: object,
): Promise<{ stdout: string; stderr: string; exitCode: number; file: string }> {
  dir = await mkdtemp(path.join(tmpdir(), 'replay-hardening-'))
  for (const rule of rules)
    await writeFile(path.join(dir, `${(rule as { id: string }).id}.json`), JSON.stringify(rule))
  const file = path.join(dir, 'events.jsonl')
  await writeFile(file, `${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`)
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  let out = ''
  let err = ''
  stdout.on('data', (chunk) => (out += chunk))
  stderr.on('data', (chunk) => (err += chunk))
  const program = new Command().exitOverride()
  register(program, { stdout, stderr, env: {} })
  const args = ['replay', '--events', file, '--rules', dir]
  if (config) {
    await writeFile(path.join(dir, 'config.jsonc'), JSON.stringify(config))
    args.push('--config', path.join(dir, 'config.jsonc'))
  }
  await program.parseAsync(['node', 'seam-alerts', ...args])
  const exitCode = typeof process.exitCode === 'number' ? process.exitCode : 0
  return { stdout: out, stderr: err, exitCode, file }
}

const decisions = (stdout: string) =>
  stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { rule: string; event_id: string; at: string; suppressed: number })

const battery = (id: string, created: string, extra: Record<string, unknown> = {}) => ({
  event_id: id,
  event_type: 'device.low_battery',
  created_at: created,
  occurred_at: created,
  device_id: 'dev_1',
  ...extra,
})

describe('replay and a poison event (issue 17 item 2)', () => {
  it('skips an event nested 100,000 deep with a one-line message, even grouping on that field, and goes on', async () => {
    const rule = {
      id: 'by-metadata',
      eventTypes: ['device.low_battery'],
      groupBy: ['device_custom_metadata'],
      actions: [{ type: 'console' }],
    }
    const deep = `{"event_id":"evt_deep","event_type":"device.low_battery","created_at":"2026-01-01T00:00:01Z","occurred_at":"2026-01-01T00:00:01Z","device_custom_metadata":${'['.repeat(100_000)}${']'.repeat(100_000)}}`
    const result = await replay(
      [rule],
      [
        battery('evt_1', '2026-01-01T00:00:00Z', { device_custom_metadata: { site: 'a' } }),
        deep,
        battery('evt_2', '2026-01-01T00:00:02Z', { device_custom_metadata: { site: 'b' } }),
      ],
    )
    expect(result.exitCode).toBe(0)
    expect(decisions(result.stdout).map((d) => d.event_id)).toEqual(['evt_1', 'evt_2'])
    expect(result.stderr).toBe(
      `${result.file}:2: event evt_deep skipped: $: nested deeper than limits.eventMaxDepth (32 levels)\n` +
        'replay: 1 line(s) skipped\n',
    )
  })

  it('skips an event over the size limit (256 KiB by default)', async () => {
    const rule = { id: 'low', eventTypes: ['device.low_battery'], actions: [{ type: 'console' }] }
    const result = await replay(
      [rule],
      [
        battery('evt_big', '2026-01-01T00:00:00Z', { notes: 'x'.repeat(300_000) }),
        battery('evt_ok', '2026-01-01T00:00:01Z'),
      ],
    )
    expect(result.exitCode).toBe(0)
    expect(decisions(result.stdout).map((d) => d.event_id)).toEqual(['evt_ok'])
    expect(result.stderr).toContain(
      ':1: event evt_big skipped: $: larger than limits.eventMaxBytes (256 KiB)',
    )
  })
})

describe('replay and an occurred_at in the future (issue 17 item 7)', () => {
  it('uses created_at as the rule time, so a 2036 occurred_at does not silence the 12 h throttle for a decade', async () => {
    const rule = {
      id: 'battery',
      eventTypes: ['device.low_battery'],
      groupBy: ['device_id'],
      throttle: '12h',
      actions: [{ type: 'console' }],
    }
    const result = await replay(
      [rule],
      [
        battery('evt_future', '2026-03-01T08:00:00.000Z', { occurred_at: '2036-01-01T00:00:00.000Z' }),
        battery('evt_day2', '2026-03-02T08:00:00.000Z'),
        battery('evt_day3', '2026-03-03T08:00:00.000Z'),
        // A few minutes ahead is ordinary clock drift: occurred_at is kept (within limits.occurredAtSkew, 5 min).
        battery('evt_drift', '2026-03-04T08:00:00.000Z', { occurred_at: '2026-03-04T08:04:00.000Z' }),
      ],
    )
    expect(result.exitCode).toBe(0)
    expect(decisions(result.stdout).map((d) => [d.event_id, d.at, d.suppressed])).toEqual([
      ['evt_future', '2026-03-01T08:00:00.000Z', 0],
      ['evt_day2', '2026-03-02T08:00:00.000Z', 0],
      ['evt_day3', '2026-03-03T08:00:00.000Z', 0],
      ['evt_drift', '2026-03-04T08:04:00.000Z', 0],
    ])
    expect(result.stderr).toBe(
      'replay: 1 event(s) reaching a rule had an occurred_at more than 5 minutes ahead of created_at; the rules ' +
        'used created_at as their time; first: evt_future (occurred_at 2036-01-01T00:00:00.000Z, created_at ' +
        '2026-03-01T08:00:00.000Z)\n',
    )
  })
})

describe('replay and timestamps that are not RFC 3339 (issue 17 item 13)', () => {
  it('rejects "1", "Tue Dec 01 2026", impossible dates and times without an offset as malformed events', async () => {
    const rule = { id: 'low', eventTypes: ['device.low_battery'], actions: [{ type: 'console' }] }
    const result = await replay(
      [rule],
      [
        battery('evt_one', '1'),
        battery('evt_date_string', 'Tue Dec 01 2026'),
        battery('evt_ok', '2026-12-01T10:00:00+01:00'),
        battery('evt_feb30', '2026-02-30T00:00:00Z'),
        battery('evt_no_zone', '2026-12-01T10:00:00'),
        battery('evt_occurred', '2026-12-01T10:00:01Z', { occurred_at: '2026-12-01' }),
        battery('evt_lower', '2026-12-01t10:00:02.5z'),
      ],
    )
    expect(result.exitCode).toBe(0)
    expect(decisions(result.stdout).map((d) => d.event_id)).toEqual(['evt_ok', 'evt_lower'])
    const expected =
      'expected an RFC 3339 timestamp, e.g. "2026-01-31T12:00:00.000Z" or "2026-01-31T13:00:00+01:00"'
    const lines = result.stderr.trim().split('\n')
    expect(lines).toEqual([
      `${result.file}:1: event evt_one skipped: $.created_at: ${expected}; $.occurred_at: ${expected}`,
      `${result.file}:2: event evt_date_string skipped: $.created_at: ${expected}; $.occurred_at: ${expected}`,
      `${result.file}:4: event evt_feb30 skipped: $.created_at: ${expected}; $.occurred_at: ${expected}`,
      `${result.file}:5: event evt_no_zone skipped: $.created_at: ${expected}; $.occurred_at: ${expected}`,
      `${result.file}:6: event evt_occurred skipped: $.occurred_at: ${expected}`,
      'replay: 5 line(s) skipped',
    ])
  })
})

describe("replay --config applies the config's limits", () => {
  it('judges event size, depth and occurred_at skew by limits.*, as the daemon with that config would', async () => {
    const rule = { id: 'low', eventTypes: ['device.low_battery'], actions: [{ type: 'console' }] }
    const events = [
      battery('evt_big', '2026-01-01T00:00:00Z', { notes: 'x'.repeat(3_000) }),
      battery('evt_deep', '2026-01-01T00:00:01Z', { meta: { a: { b: { c: 1 } } } }),
      battery('evt_ahead', '2026-01-01T00:00:02Z', { occurred_at: '2026-01-01T00:01:02Z' }),
      battery('evt_ok', '2026-01-01T00:00:03Z'),
    ]
    const limits = { eventMaxBytes: '2KB', eventMaxDepth: 3, occurredAtSkew: '30s' }
    const strict = await replay([rule], events, { rules: './rules', limits })
    expect(strict.exitCode).toBe(0)
    expect(decisions(strict.stdout).map((d) => [d.event_id, d.at])).toEqual([
      ['evt_ahead', '2026-01-01T00:00:02.000Z'],
      ['evt_ok', '2026-01-01T00:00:03.000Z'],
    ])
    expect(strict.stderr).toContain(':1: event evt_big skipped: $: larger than limits.eventMaxBytes (2 KiB)')
    expect(strict.stderr).toContain(':2: event evt_deep skipped')
    expect(strict.stderr).toContain('occurred_at more than 30 seconds ahead of created_at')

    const defaults = await replay([rule], events)
    expect(decisions(defaults.stdout).map((d) => [d.event_id, d.at])).toEqual([
      ['evt_big', '2026-01-01T00:00:00.000Z'],
      ['evt_deep', '2026-01-01T00:00:01.000Z'],
      ['evt_ahead', '2026-01-01T00:01:02.000Z'],
      ['evt_ok', '2026-01-01T00:00:03.000Z'],
    ])
  })
})
