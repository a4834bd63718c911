import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { createFake, type Fake } from '@seamapi/fake-seam-connect'
import { type Config, parseConfig } from '../config.js'
import type { Logger } from '../log.js'
import type { Action } from '../rules/action-schema.js'
import { Scenario, type ScenarioEvent } from './scenario.js'

export const SANDBOX_API_KEY = 'seam_apikey1_token'
const PREFERRED_PORT = 9464

export interface Sandbox {
  config: Config
  /** Every alert in the sandbox goes to these actions (console, plus Slack/email from the environment). */
  actions: Action[]
  fake: Fake
  scenario: Scenario
  /** The multi-line banner printed at start. */
  banner: string
  close(): Promise<void>
}

export interface SandboxOptions {
  logger: Logger
  env?: NodeJS.ProcessEnv
  cwd?: string
  /** Time between scenario steps (default 3 s). */
  stepMs?: number
  /** Poll interval of the sandbox daemon (default "2s"). */
  pollInterval?: string
}

/** Rules: ./rules when it exists, else the rules shipped with the package. */
function rulesDir(cwd: string): string {
  const local = path.resolve(cwd, 'rules')
  if (existsSync(local)) return local
  return fileURLToPath(new URL('../../rules/', import.meta.url))
}

/** 9464 when it is free, else 0 (an ephemeral port). */
async function freePort(host: string, preferred: number): Promise<number> {
  const server = createServer()
  const ok = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false))
    server.listen(preferred, host, () => resolve(true))
  })
  if (ok) await new Promise<void>((resolve) => server.close(() => resolve()))
  return ok ? preferred : 0
}

/** The official fake binds every interface; move it to loopback only. Returns the port. */
async function listenOnLoopback(fake: Fake): Promise<number> {
  const started = await fake.startServer({ port: 0 })
  const server = started.server
  await new Promise<void>((resolve) => server.close(() => resolve()))
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  return (server.address() as AddressInfo).port
}

function envActions(
  env: NodeJS.ProcessEnv,
  logger: Logger,
): { actions: Action[]; raw: Record<string, unknown> } {
  const actions: Action[] = [{ type: 'console' }]
  const raw: Record<string, unknown> = {}
  if (env.SLACK_TOKEN) {
    if (env.SLACK_CHANNEL) {
      raw.slack = { token: '${SLACK_TOKEN}', ...(env.SLACK_API_URL ? { apiUrl: '${SLACK_API_URL}' } : {}) }
      actions.push({ type: 'slack', channel: env.SLACK_CHANNEL })
    } else logger.warn('SLACK_TOKEN is set but SLACK_CHANNEL is not: Slack stays off in the sandbox')
  }
  if (env.SMTP_HOST) {
    if (env.SMTP_FROM && env.SMTP_TO) {
      raw.email = {
        smtp: {
          host: '${SMTP_HOST}',
          ...(env.SMTP_PORT ? { port: Number(env.SMTP_PORT) } : {}),
          secure: env.SMTP_SECURE === 'true',
          ...(env.SMTP_USER ? { auth: { user: '${SMTP_USER}', pass: '${SMTP_PASSWORD}' } } : {}),
        },
        from: '${SMTP_FROM}',
      }
      actions.push({ type: 'email', to: env.SMTP_TO.split(',').map((to) => to.trim()) })
    } else logger.warn('SMTP_HOST is set but SMTP_FROM or SMTP_TO is not: email stays off in the sandbox')
  }
  return { actions, raw }
}

/**
 * The embedded sandbox behind `npm start` with no config: the official fake Seam API on 127.0.0.1, seeded, with
 * a scenario adding realistic events, and a config that points the real daemon at it. State lives in a fresh
 * temp directory (the fake starts empty each time, so old state would not match it), never ./state.json.
 */
/** The fake names every device "Smart Device"; give the sandbox's devices names a newcomer can tell apart. */
function nameSandboxDevices(fake: Fake, names: Record<string, string>): void {
  for (const [deviceId, name] of Object.entries(names)) {
    try {
      fake.database.updateDevice({ device_id: deviceId, display_name: name })
    } catch {
      // a renamed or missing seed device only costs the nicer name
    }
  }
}

export async function startSandbox(opts: SandboxOptions): Promise<Sandbox> {
  const env = opts.env ?? process.env
  const cwd = opts.cwd ?? process.cwd()
  const fake = await createFake()
  const seed = await fake.seed()
  const port = await listenOnLoopback(fake)
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'seam-alerts-sandbox-'))
  const serverPort = await freePort('127.0.0.1', PREFERRED_PORT)
  const { actions, raw } = envActions(env, opts.logger)
  const config = parseConfig(
    {
      seam: {
        endpoint: `http://127.0.0.1:${port}`,
        apiKey: SANDBOX_API_KEY,
        pollInterval: opts.pollInterval ?? '2s',
        lookback: '1m',
        startFrom: 'now',
        requestTimeout: '5s',
      },
      rules: rulesDir(cwd),
      state: path.join(stateDir, 'state.json'),
      console: true,
      absenceLateness: '10s',
      server: { host: '127.0.0.1', port: serverPort },
      ...raw,
    },
    '<sandbox>',
    env,
  )
  const workspaceId = seed.seed_workspace_1
  nameSandboxDevices(fake, {
    [seed.august_device_1]: 'Front Door',
    [seed.august_device_2]: 'Back Door',
    [seed.ecobee_device_1]: 'Lobby Thermostat',
    [seed.minut_device_1]: 'Unit 4B Noise Sensor',
    [seed.schlage_device_1]: 'Side Door',
  })
  const scenario = new Scenario({
    devices: {
      connectedAccountId: seed.john_connected_account_id,
      frontDoor: seed.august_device_1,
      backDoor: seed.august_device_2,
      thermostat: seed.ecobee_device_1,
      noiseSensor: seed.minut_device_1,
      sideDoor: seed.schlage_device_1,
    },
    addEvent: (event: ScenarioEvent) => {
      fake.database.addEvent({ workspace_id: workspaceId, ...event } as Parameters<
        typeof fake.database.addEvent
      >[0])
    },
    stepMs: opts.stepMs ?? 3000,
    firstStepMs: 1500,
    onError: (error) => opts.logger.warn({ err: error }, 'sandbox scenario step failed'),
  })
  const channels = actions.map((a) => a.type).join(', ')
  const banner = [
    '',
    '================================================================================',
    '  seam-alerts SANDBOX (no config.json, or --sandbox): running against an embedded',
    `  fake Seam API (http://127.0.0.1:${port}) that keeps producing sample events.`,
    `  Rules: ${config.rules}`,
    `  Alerts go to: ${channels}  (set SLACK_TOKEN + SLACK_CHANNEL, or SMTP_HOST,`,
    '  SMTP_PORT, SMTP_USER, SMTP_PASSWORD, SMTP_FROM, SMTP_TO to add Slack / email).',
    '  The first alert appears here within a minute. Stop with Ctrl-C.',
    '',
    '  To watch your real Seam workspace: cp config.example.json config.json, set',
    '  SEAM_API_KEY, edit the rules in rules/, then run `seam-alerts run` again',
    '  (or `seam-alerts run --config config.json`).',
    '================================================================================',
    '',
  ].join('\n')
  return {
    config,
    actions,
    fake,
    scenario,
    banner,
    async close() {
      scenario.stop()
      await new Promise<void>((resolve) => {
        const server = fake.server?.server
        if (!server?.listening) return resolve()
        server.close(() => resolve())
        server.closeAllConnections()
      })
      await rm(stateDir, { recursive: true, force: true })
    },
  }
}
