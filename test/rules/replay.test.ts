import { readdirSync } from 'node:fs'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { PassThrough } from 'node:stream'
import { Command, CommanderError } from 'commander'
import { afterEach, describe, expect, it } from 'vitest'
import { register } from '../../src/cli/commands/replay.js'

const FIXTURES = path.resolve('test/fixtures')
const RULES = path.resolve('rules')

/** Run `seam-alerts replay` through its real command code; stdout and stderr captured. */
async function replay(args: string[]): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  let out = ''
  let err = ''
  stdout.on('data', (chunk) => (out += chunk))
  stderr.on('data', (chunk) => (err += chunk))
  const program = new Command().exitOverride()
  register(program, { stdout, stderr, env: {} })
  await program.parseAsync(['node', 'seam-alerts', 'replay', ...args])
  const exitCode = typeof process.exitCode === 'number' ? process.exitCode : 0
  return { stdout: out, stderr: err, exitCode }
}

afterEach(() => {
  process.exitCode = undefined
})

describe('golden replays: test/fixtures/*.jsonl -> *.expected.jsonl (shipped rules)', () => {
  const inputs = readdirSync(FIXTURES).filter(
    (name) => name.endsWith('.jsonl') && !name.endsWith('.expected.jsonl'),
  )
  it.each(inputs)('%s', async (name) => {
    const expected = await readFile(path.join(FIXTURES, name.replace(/\.jsonl$/, '.expected.jsonl')), 'utf8')
    const result = await replay(['--events', path.join(FIXTURES, name), '--rules', RULES])
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toBe(expected)
  })
})

describe('replay behaviour', () => {
  it('reports a rule whose condition throws on stderr, once, with how many events it failed on', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'replay-'))
    await writeFile(
      path.join(dir, 'odd.json'),
      JSON.stringify({
        id: 'odd-condition',
        eventTypes: ['lock.locked'],
        conditions: { all: [{ fact: 'battery_level', operator: 'swap:in', value: 'x' }] },
        actions: [{ type: 'console' }],
      }),
    )
    const events = path.join(dir, 'events.jsonl')
    const lines = [1, 2, 3].map((n) => ({
      event_id: `e${n}`,
      event_type: 'lock.locked',
      created_at: `2026-01-01T00:00:0${n}.000Z`,
      occurred_at: `2026-01-01T00:00:0${n}.000Z`,
      device_id: 'd1',
      battery_level: 5,
    }))
    await writeFile(events, lines.map((line) => JSON.stringify(line)).join('\n'))
    const result = await replay(['--events', events, '--rules', dir])
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(
      /^replay: rule odd-condition: a condition failed on 3 event\(s\), the rule did not match them; first: e1 \(lock\.locked\): .+\n$/,
    )
  })

  it('reports bad lines on stderr with their line numbers and skips them', async () => {
    const result = await replay(['--events', path.join(FIXTURES, 'out-of-order.jsonl'), '--rules', RULES])
    expect(result.stderr).toContain('out-of-order.jsonl:6: skipped: not valid JSON')
    expect(result.stderr).toContain('out-of-order.jsonl:10: event evt_bad skipped: $.created_at')
    expect(result.stdout.split('\n').every((line) => line === '' || JSON.parse(line).rule)).toBe(true)
  })

  it('counts events more out of order than the reorder buffer and still processes them', async () => {
    const result = await replay([
      '--events',
      path.join(FIXTURES, 'out-of-order.jsonl'),
      '--rules',
      RULES,
      '--reorder-buffer',
      '1',
    ])
    expect(result.stderr).toMatch(/replay: \d+ event\(s\) arrived after a later event had been processed/)
    expect(result.stdout.trim().split('\n').length).toBeGreaterThan(0)
  })

  it('--until bounds the absence timers fired at the end (default: the last occurred_at)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'replay-'))
    const events = path.join(dir, 'events.jsonl')
    const at = '2026-01-01T00:00:00.000Z'
    const line = {
      event_id: 'e1',
      event_type: 'device.disconnected',
      created_at: at,
      occurred_at: at,
      device_id: 'd1',
    }
    await writeFile(events, `${JSON.stringify(line)}\n`)
    const base = ['--events', events, '--rules', RULES]
    expect((await replay(base)).stdout).toBe('')
    expect((await replay([...base, '--until', '2026-01-01T00:14:59.999Z'])).stdout).toBe('')
    const fired = await replay([...base, '--until', '2026-01-01T00:15:00.000Z'])
    expect(fired.stdout).toBe(
      '{"rule":"device-offline","kind":"fire","group":{"device_id":"d1"},"event_id":"e1",' +
        '"at":"2026-01-01T00:15:00.000Z","count":1,"suppressed":0}\n',
    )
  })

  it.each(['abc', '0', '-3', '1.5', ''])('--reorder-buffer %j is a one-line usage error', async (value) => {
    const program = new Command().exitOverride()
    let err = ''
    program.configureOutput({ writeErr: (text) => (err += text), writeOut: () => {} })
    register(program, { stdout: new PassThrough(), stderr: new PassThrough(), env: {} })
    const args = ['node', 'seam-alerts', 'replay', '--events', 'x.jsonl', '--reorder-buffer', value]
    const error = await program.parseAsync(args).then(
      () => undefined,
      (caught: unknown) => caught,
    )
    expect(error).toBeInstanceOf(CommanderError)
    expect((error as CommanderError).code).toBe('commander.invalidArgument')
    expect((error as CommanderError).exitCode).toBe(1)
    expect(err).toBe(
      `error: option '--reorder-buffer <n>' argument '${value}' is invalid. ` +
        `expected a whole number >= 1, got ${JSON.stringify(value)}\n`,
    )
  })

  it('exits 1 and prints rule problems like validate; a missing events file is an error too', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'replay-rules-'))
    await writeFile(path.join(dir, 'bad.json'), JSON.stringify({ id: 'bad', eventTypes: [] }))
    const events = path.join(FIXTURES, 'shipped-rules.jsonl')
    const broken = await replay(['--events', events, '--rules', dir])
    expect(broken.exitCode).toBe(1)
    expect(broken.stderr).toContain(`${path.join(dir, 'bad.json')}: $.eventTypes: eventTypes is empty`)
    expect(broken.stdout).toBe('')
    process.exitCode = undefined
    const missing = await replay(['--events', path.join(FIXTURES, 'nope.jsonl'), '--rules', RULES])
    expect(missing.exitCode).toBe(1)
    expect(missing.stderr).toContain('cannot read')
  })
})
