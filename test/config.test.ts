import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { configFileOf, loadConfig, parseConfig } from '../src/config.js'
import { expandEnv, hasEnvReference } from '../src/env-expand.js'
import { InputError, type InputIssue } from '../src/errors.js'
import { inputErrorOf } from './helpers/input-error.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'seam-alerts-config-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const issuesOf = (fn: () => unknown): InputIssue[] => inputErrorOf(fn).issues

describe('parseConfig', () => {
  it('fills every seam.* default, with durations in milliseconds', () => {
    const config = parseConfig({}, '/etc/seam/config.json', {})
    expect(config.seam).toEqual({
      endpoint: 'https://connect.getseam.com',
      pollInterval: 30_000,
      lookback: 300_000,
      startFrom: 'now',
      requestTimeout: 30_000,
      pageSize: 500,
    })
    expect(config.rules).toBe(path.resolve('/etc/seam/rules'))
    expect(config.state).toBe(path.resolve('/etc/seam/state.json'))
  })

  it('takes SEAM_API_KEY from the environment only when seam.apiKey is absent', () => {
    expect(parseConfig({}, 'c.json', { SEAM_API_KEY: 'env_key' }).seam.apiKey).toBe('env_key')
    expect(
      parseConfig({ seam: { apiKey: 'file_key' } }, 'c.json', { SEAM_API_KEY: 'env_key' }).seam.apiKey,
    ).toBe('file_key')
  })

  it('expands ${VAR} and names a missing variable with its file and JSON path', () => {
    const config = parseConfig({ seam: { apiKey: '${MY_KEY}', pollInterval: '${POLL}' } }, 'c.json', {
      MY_KEY: 'k1',
      POLL: '2m',
    })
    expect(config.seam.apiKey).toBe('k1')
    expect(config.seam.pollInterval).toBe(120_000)
    const issues = issuesOf(() => parseConfig({ slack: { token: 'xoxb-${NOPE}' } }, 'c.json', {}))
    expect(issues).toEqual([
      { file: 'c.json', path: '$.slack.token', message: 'environment variable NOPE is not set' },
    ])
  })

  it('names the file, JSON path and expectation of every invalid value', () => {
    const issues = issuesOf(() =>
      parseConfig(
        { seam: { pollInterval: '30 seconds', pageSize: 501, startFrom: 'yesterday', extra: 1 } },
        'cfg.json',
        {},
      ),
    )
    const byPath = new Map(issues.map((i) => [i.path, i]))
    expect(issues.every((i) => i.file === 'cfg.json')).toBe(true)
    expect(byPath.get('$.seam.pollInterval')?.message).toMatch(/duration like/)
    expect(byPath.get('$.seam.pageSize')?.message).toMatch(/500/)
    expect(byPath.get('$.seam.startFrom')?.message).toMatch(/"now" or an ISO 8601 time/)
    expect(issues.some((i) => i.path === '$.seam' && /extra/.test(i.message))).toBe(true)
  })

  it('reports missing variables and schema problems in one round, without a second complaint about the ""', () => {
    let error: unknown
    try {
      parseConfig(
        { seam: { apiKey: '${NO_KEY}', pollInterval: '${NO_POLL}', pageSize: 0 }, timezone: 'Mars/Olympus' },
        'cfg.json',
        {},
      )
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(InputError)
    expect((error as InputError).code).toBe('CONFIG_ENV_MISSING')
    expect((error as InputError).issues).toEqual([
      { file: 'cfg.json', path: '$.seam.apiKey', message: 'environment variable NO_KEY is not set' },
      { file: 'cfg.json', path: '$.seam.pollInterval', message: 'environment variable NO_POLL is not set' },
      { file: 'cfg.json', path: '$.seam.pageSize', message: expect.stringMatching(/>=1/) },
      {
        file: 'cfg.json',
        path: '$.timezone',
        message: 'unknown IANA time zone (e.g. "Europe/Berlin"), got "Mars/Olympus"',
      },
    ])
  })

  it('checks the time zone and the housekeeping cron with everything else', () => {
    const issues = issuesOf(() =>
      parseConfig({ timezone: 'Europe/Berln', housekeeping: { cron: 'every 5' } }, 'cfg.json', {}),
    )
    expect(issues.map((i) => `${i.file}: ${i.path}: ${i.message}`)).toEqual([
      'cfg.json: $.timezone: unknown IANA time zone (e.g. "Europe/Berlin"), got "Europe/Berln"',
      'cfg.json: $.housekeeping.cron: not a valid cron expression (e.g. "*/5 * * * *"), got "every 5"',
    ])
    expect(parseConfig({ timezone: 'Europe/Berlin' }, 'c.json', {}).timezone).toBe('Europe/Berlin')
  })

  it('reports the failing field inside a union, not just "Invalid input"', () => {
    expect(issuesOf(() => parseConfig({ server: { port: 'abc' } }, 'cfg.json', {}))).toEqual([
      { file: 'cfg.json', path: '$.server.port', message: 'Invalid input: expected number, received string' },
    ])
    expect(issuesOf(() => parseConfig({ server: 'on' }, 'cfg.json', {}))).toEqual([
      {
        file: 'cfg.json',
        path: '$.server',
        message: 'Invalid input: expected false, or expected object, received string',
      },
    ])
    expect(parseConfig({ server: false }, 'c.json', {}).server).toBe(false)
  })

  it('echoes a bad duration, but never a value from the environment or a secret field', () => {
    const issues = issuesOf(() =>
      parseConfig(
        {
          seam: { pollInterval: '30 s', lookback: '${LOOKBACK}', endpoint: 'not a url' },
          slack: { apiUrl: 'nope' },
        },
        'cfg.json',
        { LOOKBACK: '5 minutes' },
      ),
    )
    const byPath = new Map(issues.map((i) => [i.path, i.message]))
    expect(byPath.get('$.seam.pollInterval')).toBe(
      'expected a duration like "500ms", "30s", "10m", "2h" or "7d", got "30 s"',
    )
    expect(byPath.get('$.seam.lookback')).toBe('expected a duration like "500ms", "30s", "10m", "2h" or "7d"')
    expect(byPath.get('$.seam.endpoint')).not.toMatch(/got/)
    expect(byPath.get('$.slack.apiUrl')).not.toMatch(/got/)
  })

  it('remembers the file a config came from', () => {
    expect(configFileOf(parseConfig({}, '/etc/seam/config.json', {}))).toBe('/etc/seam/config.json')
  })

  it('accepts an ISO startFrom', () => {
    expect(parseConfig({ seam: { startFrom: '2026-01-01T00:00:00Z' } }, 'c.json', {}).seam.startFrom).toBe(
      '2026-01-01T00:00:00Z',
    )
  })
})

describe('loadConfig', () => {
  it('reads a file and resolves relative paths against its directory', async () => {
    const file = path.join(dir, 'config.json')
    await writeFile(file, JSON.stringify({ rules: './my-rules', seam: { lookback: '10m' } }))
    const config = await loadConfig(file, {})
    expect(config.rules).toBe(path.join(dir, 'my-rules'))
    expect(config.seam.lookback).toBe(600_000)
  })

  it('reports unreadable and non-JSON files with the file name', async () => {
    const bad = path.join(dir, 'bad.json')
    await writeFile(bad, '{ "seam": ')
    await expect(loadConfig(bad, {})).rejects.toThrow(`${bad}: $: not valid JSON`)
    await expect(loadConfig(path.join(dir, 'none.json'), {})).rejects.toThrow(
      /cannot read the config file \(ENOENT\)/,
    )
  })
})

describe('expandEnv', () => {
  it('expands inside arrays and nested objects, keeps $${X} literal, and reports each missing variable', () => {
    const issues: InputIssue[] = []
    const out = expandEnv({ a: ['x${A}y', { b: '$${A}' }], c: 3, d: '${B}' }, { A: '1' }, 'f.json', issues)
    expect(out).toEqual({ a: ['x1y', { b: '${A}' }], c: 3, d: '' })
    expect(issues).toEqual([{ file: 'f.json', path: '$.d', message: 'environment variable B is not set' }])
    expect(hasEnvReference('a ${B} c')).toBe(true)
    expect(hasEnvReference('a $B c')).toBe(false)
  })
})
