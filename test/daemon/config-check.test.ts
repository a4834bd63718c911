import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig, parseConfig } from '../../src/config.js'
import { describeChannels } from '../../src/daemon/channel-summary.js'
import { checkConfig } from '../../src/daemon/config-check.js'
import { InputError } from '../../src/errors.js'
import type { Action } from '../../src/rules/action-schema.js'
import { inputErrorOf } from '../helpers/input-error.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'seam-alerts-config-check-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const messageOf = (fn: () => unknown): string => inputErrorOf(fn).message

describe('checkConfig', () => {
  it('names the config file a missing API key is missing from', async () => {
    const file = path.join(dir, 'config.json')
    await writeFile(file, JSON.stringify({ timezone: 'Europe/Berlin' }))
    const config = await loadConfig(file, {})
    expect(messageOf(() => checkConfig(config))).toBe(
      `${file}: $.seam.apiKey: not set: put it in the config or set SEAM_API_KEY`,
    )
    expect(messageOf(() => checkConfig(config, 'other.json'))).toMatch(/^other\.json: \$\.seam\.apiKey: /)
    expect(() => checkConfig(parseConfig({}, file, { SEAM_API_KEY: 'k' }))).not.toThrow()
  })

  it('leaves the time zone to loading, which names the file together with every other problem', async () => {
    const file = path.join(dir, 'tz.json')
    await writeFile(file, JSON.stringify({ timezone: 'Mars/Olympus', seam: { pageSize: 0 } }))
    const error = await loadConfig(file, {}).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InputError)
    const lines = (error as InputError).message.split('\n')
    expect(lines).toContain(
      `${file}: $.timezone: unknown IANA time zone (e.g. "Europe/Berlin"), got "Mars/Olympus"`,
    )
    expect(lines.some((line) => line.startsWith(`${file}: $.seam.pageSize: `))).toBe(true)
  })
})

describe('describeChannels (start line)', () => {
  const config = parseConfig({ slack: { token: 'xoxb-1' } }, 'c.json', {})
  const webhook: Action = { type: 'slack', webhookUrl: 'https://hooks.slack.com/services/T/B/x' }
  const bot: Action = { type: 'slack', channel: '#ops' }

  it('lists slack-webhook only when an action in use posts to a webhook', () => {
    expect(describeChannels(config, false, [bot, { type: 'console' }])).toEqual(['slack'])
    expect(describeChannels(config, false)).toEqual(['slack'])
    expect(describeChannels(config, true, [bot, webhook])).toEqual(['slack', 'slack-webhook', 'console'])
  })

  it('counts monitor actions from the config when no action list is given', () => {
    const monitored = parseConfig({ monitor: { actions: [webhook] } }, 'c.json', {})
    expect(describeChannels(monitored, false)).toEqual(['slack-webhook'])
  })

  it('names PagerDuty, webhooks, Teams and the heartbeat without any secret', () => {
    const full = parseConfig(
      {
        pagerduty: { apiUrl: 'https://events.eu.pagerduty.com/v2/enqueue' },
        heartbeat: { url: 'https://hc-ping.com/0b1d-secret-uuid', every: '1m' },
      },
      'c.json',
      {},
    )
    const actions: Action[] = [
      { type: 'pagerduty', routingKey: 'pd-secret-key' },
      { type: 'webhook', url: 'https://hooks.example.com/secret-path', secret: 'shh' },
      { type: 'teams', webhookUrl: 'https://prod.westeurope.logic.azure.com/workflows/secret-flow' },
    ]
    const channels = describeChannels(full, false, actions)
    expect(channels).toEqual([
      'pagerduty(events.eu.pagerduty.com)',
      'webhook',
      'teams',
      'heartbeat(every 1 minute)',
    ])
    expect(JSON.stringify(channels)).not.toMatch(/secret|shh/)
    expect(describeChannels(parseConfig({}, 'c.json', {}), false, [actions[0]!])).toEqual(['pagerduty'])
  })
})
