/**
 * The Slack stand-ins themselves, driven by Slack's own clients: the real `@slack/socket-mode` SocketModeClient
 * (whose `apps.connections.open` goes to the Web API stand-in through `slackApiUrl`) and the real
 * `@slack/web-api` WebClient. If these pass, a daemon test that uses the stand-ins talks to something shaped
 * like Slack.
 */
import { type Logger, LogLevel, SocketModeClient } from '@slack/socket-mode'
import { WebClient } from '@slack/web-api'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js'
import { type SocketModeStandIn, startSocketModeStandIn } from '../helpers/socket-mode-stand-in.js'

const APP_TOKEN = 'xapp-1-A0STANDIN-1-0123456789abcdef'
const BOT_TOKEN = 'xoxb-stand-in-bot-token'

const silent: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  setLevel() {},
  getLevel: () => LogLevel.ERROR,
  setName() {},
}

const ALERT_BLOCKS = [
  { type: 'section', text: { type: 'mrkdwn', text: '*Lock tampered*' } },
  {
    type: 'actions',
    block_id: 'seam_alerts.actions',
    elements: [
      {
        type: 'button',
        action_id: 'seam_alerts.ack',
        text: { type: 'plain_text', text: 'Acknowledge' },
        value: 'i1',
      },
      {
        type: 'button',
        action_id: 'seam_alerts.silence.1h',
        text: { type: 'plain_text', text: 'Silence 1h' },
        value: 'i1:1h',
      },
    ],
  },
]

let web: SlackStandIn
let sm: SocketModeStandIn
let clients: SocketModeClient[] = []

beforeEach(async () => {
  web = await startSlackStandIn()
  sm = await startSocketModeStandIn({ web })
})

afterEach(async () => {
  const stopping = clients
  clients = []
  for (const client of stopping) await client.disconnect()
  await sm.close()
  await web.close()
})

/**
 * A real SocketModeClient against the stand-ins, acking every interactive envelope (unless told not to). It
 * reconnects as the daemon's connection does (socket-connection.ts): its own automatic reconnect is off, because it
 * leaves a reconnect that fails before `hello` as an unhandled rejection; a new `start()` follows each disconnect.
 */
function client(opts: { ack?: boolean; appToken?: string; reconnect?: boolean } = {}) {
  const c = new SocketModeClient({
    appToken: opts.appToken ?? APP_TOKEN,
    logger: silent,
    clientPingTimeout: 300,
    autoReconnectEnabled: false,
    clientOptions: { slackApiUrl: web.apiUrl, retryConfig: { retries: 0 } },
  })
  if (opts.reconnect ?? true) {
    c.on('disconnected', () => {
      if (clients.includes(c)) setTimeout(() => clients.includes(c) && c.start().catch(() => undefined), 20)
    })
  }
  const received: Array<{ envelope_id: string; body: Record<string, unknown> }> = []
  c.on('interactive', async ({ ack, envelope_id, body }) => {
    received.push({ envelope_id, body })
    if (opts.ack !== false) await ack()
  })
  clients.push(c)
  return { c, received }
}

async function postAlert() {
  const bot = new WebClient(BOT_TOKEN, { slackApiUrl: web.apiUrl, retryConfig: { retries: 0 } })
  const res = await bot.chat.postMessage({
    channel: '#security',
    text: 'Lock tampered',
    blocks: ALERT_BLOCKS,
  })
  return { channel: String(res.channel), ts: String(res.ts) }
}

describe('Web API stand-in', () => {
  it('answers apps.connections.open with a one-time ws:// URL for an xapp- token only', async () => {
    const app = new WebClient(APP_TOKEN, { slackApiUrl: web.apiUrl, retryConfig: { retries: 0 } })
    const opened = await app.apps.connections.open()
    expect(opened.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/link\/\?ticket=[\w-]+&app_id=A_SEAM_ALERTS$/)
    const bot = new WebClient(BOT_TOKEN, { slackApiUrl: web.apiUrl, retryConfig: { retries: 0 } })
    await expect(bot.apps.connections.open()).rejects.toThrow(/not_allowed_token_type/)
    await expect(app.chat.postMessage({ channel: '#x', text: 'y' })).rejects.toThrow(/not_allowed_token_type/)
  })

  it('keeps what it posted, applies chat.update to it, and refuses an update of an unknown message', async () => {
    const { channel, ts } = await postAlert()
    expect(channel).toBe('C_security')
    const bot = new WebClient(BOT_TOKEN, { slackApiUrl: web.apiUrl, retryConfig: { retries: 0 } })
    const updated = await bot.chat.update({ channel, ts, text: 'Lock tampered (acknowledged)', blocks: [] })
    expect(updated).toMatchObject({ ok: true, channel, ts, text: 'Lock tampered (acknowledged)' })
    expect(web.message(channel, ts)?.versions.map((v) => v.text)).toEqual([
      'Lock tampered',
      'Lock tampered (acknowledged)',
    ])
    expect(web.updates()).toHaveLength(1)
    await expect(bot.chat.update({ channel, ts: '1.000001', text: 'x' })).rejects.toThrow(/message_not_found/)
    const eph = await bot.chat.postEphemeral({ channel, user: 'U0ALICE01', text: 'no longer tracked' })
    expect(eph).toMatchObject({ ok: true })
    expect(web.ephemerals()[0]?.body).toMatchObject({ user: 'U0ALICE01', text: 'no longer tracked' })
  })

  it('refuses blocks Slack would refuse: two buttons with one action_id in a block', async () => {
    const bot = new WebClient(BOT_TOKEN, { slackApiUrl: web.apiUrl, retryConfig: { retries: 0 } })
    const button = { type: 'button', action_id: 'a', text: { type: 'plain_text', text: 'A' } } as const
    await expect(
      bot.chat.postMessage({
        channel: '#x',
        text: 'y',
        blocks: [{ type: 'actions', elements: [button, button] }],
      }),
    ).rejects.toThrow(/invalid_blocks/)
    expect(web.messages()).toHaveLength(0)
  })
})

describe('Socket Mode stand-in with the real SocketModeClient', () => {
  it('says hello, delivers a block_actions click built from the posted buttons, and records the ack', async () => {
    const { c, received } = client()
    await c.start()
    expect(sm.connections).toBe(1)
    expect(web.calls.find((call) => call.method === 'apps.connections.open')?.auth).toBe(
      `Bearer ${APP_TOKEN}`,
    )
    const message = await postAlert()

    const ack = await sm.click({
      message,
      actionId: 'seam_alerts.ack',
      user: { id: 'U0ALICE01', username: 'alice' },
    })

    expect(ack).toMatchObject({ connection: 1, late: false })
    expect(received).toHaveLength(1)
    expect(received[0]?.envelope_id).toBe(ack.envelope_id)
    expect(received[0]?.body).toMatchObject({
      type: 'block_actions',
      user: { id: 'U0ALICE01', username: 'alice' },
      api_app_id: 'A_SEAM_ALERTS',
      team: { id: 'T_SEAM' },
      channel: { id: 'C_security' },
      container: { type: 'message', channel_id: 'C_security', message_ts: message.ts },
      message: { ts: message.ts, text: 'Lock tampered' },
      actions: [
        { type: 'button', action_id: 'seam_alerts.ack', block_id: 'seam_alerts.actions', value: 'i1' },
      ],
    })
    expect(String(received[0]?.body.response_url)).toMatch(new RegExp(`^${web.url}/`))
    expect(sm.otherMessages).toEqual([])
  })

  it('refuses to click a button the message (as it stands now) does not carry', async () => {
    const { c } = client()
    await c.start()
    const message = await postAlert()
    const bot = new WebClient(BOT_TOKEN, { slackApiUrl: web.apiUrl, retryConfig: { retries: 0 } })
    await bot.chat.update({ ...message, text: 'acknowledged', blocks: [ALERT_BLOCKS[0]!] })
    await expect(sm.click({ message, actionId: 'seam_alerts.ack' })).rejects.toThrow(/0 button\(s\)/)
    await expect(sm.click({ message, actionId: 'seam_alerts.ack', version: 0 })).resolves.toMatchObject({
      late: false,
    })
  })

  it('delivers crafted envelopes as sent and records acks of duplicates', async () => {
    const { c, received } = client()
    await c.start()
    const envelope = {
      envelope_id: 'env-1',
      type: 'interactive',
      accepts_response_payload: false,
      payload: {},
    }
    sm.sendEnvelope(envelope)
    await sm.waitForAck('env-1')
    sm.sendEnvelope(envelope)
    await expect.poll(() => sm.acks.filter((a) => a.envelope_id === 'env-1').length).toBe(2)
    expect(received.map((r) => r.envelope_id)).toEqual(['env-1', 'env-1'])
  })

  it('the client reconnects after a disconnect message, and clicks go to the new connection', async () => {
    const { c } = client()
    await c.start()
    sm.disconnect('refresh_requested')
    await sm.waitForConnection(2)
    await expect.poll(() => sm.connections).toBe(1)
    const ack = await sm.click({ message: await postAlert(), actionId: 'seam_alerts.ack' })
    expect(ack.connection).toBe(2)
    expect(web.calls.filter((call) => call.method === 'apps.connections.open')).toHaveLength(2)
  })

  it('the client reconnects after the TCP connection drops without a close frame', async () => {
    const { c } = client()
    await c.start()
    sm.dropSockets()
    await sm.waitForConnection(2)
    const ack = await sm.click({ message: await postAlert(), actionId: 'seam_alerts.ack' })
    expect(ack.connection).toBe(2)
  })

  it('the client notices a silent partition by its ping timeout and reconnects', async () => {
    const { c } = client()
    await c.start()
    sm.blackhole()
    await sm.waitForConnection(2)
    const ack = await sm.click({ message: await postAlert(), actionId: 'seam_alerts.ack' })
    expect(ack.connection).toBe(2)
  })

  it('refuses a reused connection URL, as Slack does', async () => {
    const app = new WebClient(APP_TOKEN, { slackApiUrl: web.apiUrl, retryConfig: { retries: 0 } })
    const url = String((await app.apps.connections.open()).url)
    const first = new WebSocket(url)
    const hello = await new Promise<string>((resolve) =>
      first.once('message', (data) => resolve(String(data))),
    )
    expect(JSON.parse(hello)).toMatchObject({
      type: 'hello',
      num_connections: 1,
      connection_info: { app_id: 'A_SEAM_ALERTS' },
    })
    const second = new WebSocket(url)
    const refused = await new Promise<Error>((resolve) => second.once('error', resolve))
    expect(refused.message).toMatch(/401/)
    first.close()
    expect(sm.refusedUpgrades).toHaveLength(1)
    expect(sm.opened).toBe(1)
  })

  it('does not redeliver an unacked interactive envelope by default; redeliverUnacked resends it with retry fields', async () => {
    const { c, received } = client({ ack: false })
    await c.start()
    const message = await postAlert()
    await expect(sm.click({ message, actionId: 'seam_alerts.ack', timeoutMs: 300 })).rejects.toThrow(/no ack/)
    sm.dropSockets()
    await sm.waitForConnection(2)
    expect(received).toHaveLength(1)
    expect(sm.unacked()).toHaveLength(1)
    await sm.close()

    sm = await startSocketModeStandIn({ web, redeliverUnacked: true })
    const other = client({ ack: false })
    await other.c.start()
    await expect(sm.click({ message, actionId: 'seam_alerts.ack', timeoutMs: 300 })).rejects.toThrow(/no ack/)
    sm.dropSockets()
    await sm.waitForConnection(2)
    await expect.poll(() => sm.sent.length).toBe(2)
    expect(sm.sent[1]).toMatchObject({
      connection: 2,
      envelope: { retry_attempt: 1, retry_reason: 'timeout' },
    })
    expect(sm.sent[1]?.envelope.envelope_id).toBe(sm.sent[0]?.envelope.envelope_id)
  })

  it('start() fails when given a bot token instead of an app-level token', async () => {
    const { c } = client({ appToken: BOT_TOKEN, reconnect: false })
    await expect(c.start()).rejects.toThrow(/not_allowed_token_type/)
    expect(sm.opened).toBe(0)
  })
})
