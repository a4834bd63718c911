/**
 * Shared by the Slack actions end-to-end tests: the real daemon (child process) against the official fake Seam,
 * the Slack Web API stand-in and the Socket Mode stand-in, with `slack.appToken` set.
 */
import { readFileSync } from 'node:fs'
import { readdir, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { State } from '../../../src/state/state-schema.js'
import type { FakeSeam } from '../../helpers/fake-seam.js'
import { type SlackMessage, type SlackStandIn, startSlackStandIn } from '../../helpers/slack-stand-in.js'
import { type SmtpStandIn, startSmtp } from '../../helpers/smtp-server.js'
import { type SocketModeStandIn, startSocketModeStandIn } from '../../helpers/socket-mode-stand-in.js'
import { type DaemonProcess, spawnCli } from './daemon-process.js'
import { type E2eDirs, makeDirs, slackTrace, writeConfig } from './setup.js'

export const APP_TOKEN = 'xapp-1-A0E2E-1-e2e0123456789abcdef'
export const ENV = {
  TEST_SLACK_TOKEN: 'xoxb-e2e-test-token',
  TEST_SLACK_APP_TOKEN: APP_TOKEN,
  TEST_API_TOKEN: 'api-token-e2e-slack-actions',
}

/** One rule per device: fires on a tamper, repeats after a 1 s throttle, resolves when the device reconnects. */
export const TAMPER_RULE = {
  id: 'door-tamper',
  description: 'Door tampered',
  severity: 'critical',
  eventTypes: ['device.tampered'],
  groupBy: ['device_id'],
  throttle: '1s',
  resolve: { eventTypes: ['device.connected'] },
  actions: [{ type: 'slack', channel: '#security' }],
}

export const ACK = 'seam_alerts.ack'
export const SILENCE_1H = 'seam_alerts.silence.1h'

export interface SlackRig {
  /** While true, apps.connections.open fails (HTTP 503): the daemon cannot (re)connect its socket. */
  socketModeDown: boolean
  fake: FakeSeam
  web: SlackStandIn
  sm: SocketModeStandIn
  smtp: SmtpStandIn
  dirs: E2eDirs
  daemons: DaemonProcess[]
  start(): DaemonProcess
  /** The state file as last written (synchronous, for `waitFor`). */
  saved(): State
  /**
   * The message the daemon posted for this event (as it stands now), once it is posted AND the daemon has recorded
   * the send (its `sent` history entry, written in the same state update as the message index): a user cannot
   * click a message sooner than Slack shows it, and this keeps the tests off the few milliseconds in between.
   */
  alertFor(eventId: string): SlackMessage | undefined
  close(): Promise<void>
}

/**
 * A fresh rig on a shared fake Seam. Waits until the previous test's events are older than this daemon's
 * `startFrom` (the fake Seam is shared by a file's tests), as test/daemon/noise.e2e.test.ts does.
 */
export async function slackRig(
  fake: FakeSeam,
  opts: { extra?: Record<string, unknown>; redeliverUnacked?: boolean } = {},
): Promise<SlackRig> {
  // apps.connections.open answers 503 while `socketModeDown` is set (Slack unreachable for the socket only).
  const web = await startSlackStandIn((call) =>
    rig.socketModeDown && call.method === 'apps.connections.open'
      ? { status: 503, raw: 'upstream unavailable', contentType: 'text/plain' }
      : undefined,
  )
  const sm = await startSocketModeStandIn({ web, redeliverUnacked: opts.redeliverUnacked ?? false })
  const smtp = await startSmtp()
  const dirs = await makeDirs()
  // Only this file's rule: the shared E2E_RULES would post a second message per tamper event.
  for (const file of await readdir(dirs.rules)) await rm(path.join(dirs.rules, file))
  await writeFile(path.join(dirs.rules, `${TAMPER_RULE.id}.json`), JSON.stringify(TAMPER_RULE))
  await new Promise((resolve) => setTimeout(resolve, 1100))
  const startFrom = new Date(Date.now() - 1000).toISOString()
  const parts = {
    seamUrl: fake.url,
    apiKey: fake.apiKey,
    slackApiUrl: web.apiUrl,
    smtpPort: smtp.port,
    startFrom,
  }
  await writeConfig(dirs, parts, {
    slack: {
      token: '${TEST_SLACK_TOKEN}',
      apiUrl: web.apiUrl,
      appToken: '${TEST_SLACK_APP_TOKEN}',
      silenceChoices: ['1h', '1d'],
    },
    server: { host: '127.0.0.1', port: 0, apiToken: '${TEST_API_TOKEN}' },
    monitor: { seamDownAfter: '1h', lagAbove: '1h', actions: [] },
    ...opts.extra,
  })
  const daemons: DaemonProcess[] = []
  const rig: SlackRig = {
    socketModeDown: false,
    fake,
    web,
    sm,
    smtp,
    dirs,
    daemons,
    start() {
      const daemon = spawnCli(['run', '--config', dirs.config], ENV)
      daemons.push(daemon)
      return daemon
    },
    saved() {
      try {
        return JSON.parse(readFileSync(dirs.state, 'utf8')) as State
      } catch {
        return { history: [], silences: [] } as unknown as State
      }
    },
    alertFor(eventId) {
      const message = web
        .messages()
        .find((m) => m.thread_ts === undefined && slackTrace(m.versions[0]!.text)?.eventId === eventId)
      if (!message) return undefined
      const recorded = rig.saved().history.some((h) => h.outcome === 'sent' && h.ref === message.ts)
      return recorded ? message : undefined
    },
    async close() {
      for (const daemon of daemons) if (daemon.child.exitCode === null) daemon.kill('SIGKILL')
      await Promise.all(daemons.map((d) => d.exited))
      await sm.close()
      await web.close()
      await smtp.close()
      await dirs.cleanup()
    },
  }
  return rig
}

/** The action_ids of the buttons a message version carries. */
export function buttonIds(blocks: unknown[] | undefined): string[] {
  return (blocks ?? []).flatMap((block) => {
    const elements = (block as { elements?: Array<{ type?: string; action_id?: string }> }).elements ?? []
    return elements.filter((e) => e.type === 'button').map((e) => String(e.action_id))
  })
}

/** All the text of a message version: its fallback text and every text in its blocks. */
export function allText(version: { text: string; blocks: unknown[] | undefined }): string {
  const texts: string[] = [version.text]
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk)
    else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (key === 'text' && typeof inner === 'string') texts.push(inner)
        else walk(inner)
      }
    }
  }
  walk(version.blocks)
  return texts.join('\n')
}

/** `GET` a daemon endpoint (healthz, metrics) next to the health URL the start line printed. */
export async function daemonGet(
  daemon: DaemonProcess,
  path: string,
): Promise<{ status: number; text: string }> {
  const health = new URL(await daemon.healthUrl())
  const res = await fetch(new URL(path, health))
  return { status: res.status, text: await res.text() }
}
