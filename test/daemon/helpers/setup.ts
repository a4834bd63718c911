import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

/** Rules used by the end-to-end tests. */
export const E2E_RULES = [
  {
    id: 'denied-burst',
    description: 'Three denied attempts on one lock',
    severity: 'critical',
    eventTypes: ['lock.access_denied'],
    groupBy: ['device_id'],
    window: { count: 3, within: '10m' },
    actions: [
      { type: 'slack', channel: '#security' },
      { type: 'email', to: ['ops@example.com'] },
    ],
  },
  {
    id: 'tampered',
    description: 'Device tampered',
    eventTypes: ['device.tampered'],
    actions: [{ type: 'slack', channel: '#security' }],
  },
  {
    id: 'battery-digest',
    description: 'Low batteries, collected',
    severity: 'info',
    eventTypes: ['device.low_battery'],
    groupBy: ['device_id'],
    digest: { cron: '* * * * * *' },
    actions: [{ type: 'email', to: ['digest@example.com'] }],
  },
]

export interface E2eDirs {
  dir: string
  rules: string
  config: string
  state: string
  cleanup(): Promise<void>
}

export async function makeDirs(): Promise<E2eDirs> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'seam-alerts-daemon-'))
  const rules = path.join(dir, 'rules')
  await mkdir(rules)
  for (const rule of E2E_RULES)
    await writeFile(path.join(rules, `${rule.id}.json`), JSON.stringify(rule, null, 2))
  return {
    dir,
    rules,
    config: path.join(dir, 'config.json'),
    state: path.join(dir, 'state.json'),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  }
}

export async function writeConfig(
  dirs: E2eDirs,
  parts: { seamUrl: string; apiKey: string; slackApiUrl: string; smtpPort: number; startFrom: string },
  extra: Record<string, unknown> = {},
): Promise<void> {
  const config = {
    seam: {
      endpoint: parts.seamUrl,
      apiKey: parts.apiKey,
      pollInterval: '500ms',
      lookback: '1m',
      startFrom: parts.startFrom,
      requestTimeout: '5s',
    },
    rules: './rules',
    state: './state.json',
    timezone: 'UTC',
    slack: { token: '${TEST_SLACK_TOKEN}', apiUrl: parts.slackApiUrl },
    email: { smtp: { host: '127.0.0.1', port: parts.smtpPort, secure: false }, from: 'alerts@example.com' },
    delivery: { backoff: '100ms', maxBackoff: '1s', slackPace: '100ms' },
    server: { host: '127.0.0.1', port: 0 },
    monitor: { seamDownAfter: '1s', lagAbove: '1h', actions: [{ type: 'slack', channel: '#ops' }] },
    ...extra,
  }
  await writeFile(dirs.config, JSON.stringify(config, null, 2))
}

/** The rule id and event_id of a Slack post (its fallback text ends "(rule <id>, event_id <id>)"). */
export function slackTrace(text: string): { rule: string; eventId: string } | undefined {
  const m = /\(rule ([^,]+), event_id ([^)]+)\)$/.exec(text)
  return m ? { rule: m[1]!, eventId: m[2]! } : undefined
}

/** The rule id and event_id of an email (its text ends with the line "rule <id> · event_id <id> · <severity>"). */
export function mailTrace(text: string): { rule: string; eventId: string } | undefined {
  const m = /rule (\S+) · event_id (\S+) · \w+\s*$/.exec(text)
  return m ? { rule: m[1]!, eventId: m[2]! } : undefined
}
