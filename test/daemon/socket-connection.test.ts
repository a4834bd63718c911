/**
 * The Socket Mode connection against the stand-ins: `apps.connections.open` through slack.apiUrl with the app
 * token, `hello`, acks, and every way a link ends (Slack's `disconnect`, a dropped socket, a silent partition, Slack
 * unreachable or refusing) followed by a reconnect, with backoff after failures.
 */
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  type Envelope,
  SocketModeConnection,
  type SocketState,
} from '../../src/daemon/slack-actions/socket-connection.js'
import { silentLogger } from '../../src/log.js'
import { captureLogger } from '../helpers/fixtures.js'
import { type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js'
import { type SocketModeStandIn, startSocketModeStandIn } from '../helpers/socket-mode-stand-in.js'
import { eventually } from '../helpers/stalled-server.js'

const APP_TOKEN = 'xapp-1-A0STANDIN-1-0123456789abcdef'
const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function rig(
  script?: Parameters<typeof startSlackStandIn>[0],
  opts: { clientPingTimeoutMs?: number; serverPingTimeoutMs?: number } = {},
) {
  const web: SlackStandIn = await startSlackStandIn(script)
  cleanups.push(web.close)
  const socket = await startSocketModeStandIn({ web })
  cleanups.push(socket.close)
  const states: Array<[SocketState, string | undefined]> = []
  const envelopes: Envelope[] = []
  const log = captureLogger()
  const connection = new SocketModeConnection({
    appToken: 'xapp-1-secret-app-token',
    apiUrl: web.apiUrl,
    logger: log.logger,
    minDelayMs: 50,
    maxDelayMs: 200,
    ...opts,
    onState: (state, reason) => states.push([state, reason]),
    onEnvelope: (envelope, ack) => {
      envelopes.push(envelope)
      ack()
    },
  })
  cleanups.push(() => connection.stop())
  connection.start()
  return { web, socket, connection, states, envelopes, log }
}

const connects = (states: Array<[SocketState, string | undefined]>) =>
  states.filter(([s]) => s === 'connected').length

describe('SocketModeConnection', () => {
  it('opens the link through slack.apiUrl with the app token, says connected on hello, acks envelopes', async () => {
    const r = await rig()
    await r.socket.waitForConnection(1)
    expect(await eventually(() => connects(r.states) === 1)).toBe(true)
    const open = r.web.calls.find((c) => c.method === 'apps.connections.open')
    expect(open?.auth).toBe('Bearer xapp-1-secret-app-token')
    r.socket.sendEnvelope({ envelope_id: 'env-1', type: 'interactive', payload: {} })
    await r.socket.waitForAck('env-1')
    expect(r.envelopes.map((e) => e.envelope_id)).toEqual(['env-1'])
    expect(r.socket.otherMessages).toEqual([])
    expect(r.log.text()).not.toContain('secret-app-token')
  })

  it('reconnects at once after Slack asks to, and after a dropped socket', async () => {
    const r = await rig()
    await r.socket.waitForConnection(1)
    r.socket.disconnect('refresh_requested')
    await r.socket.waitForConnection(2)
    r.socket.dropSockets()
    await r.socket.waitForConnection(3)
    expect(await eventually(() => connects(r.states) === 3)).toBe(true)
    expect(r.states.filter(([s]) => s === 'disconnected').map(([, why]) => why)).toEqual([
      'Slack asked to reconnect (refresh_requested)',
      expect.stringMatching(/closed|ECONNRESET|socket/i),
    ])
    r.socket.sendEnvelope({ envelope_id: 'env-late', type: 'interactive', payload: {} })
    expect((await r.socket.waitForAck('env-late')).connection).toBe(3)
  })

  it('finds a silently dead link by ping and reconnects', async () => {
    const r = await rig(undefined, { clientPingTimeoutMs: 200, serverPingTimeoutMs: 400 })
    await r.socket.waitForConnection(1)
    r.socket.blackhole()
    await r.socket.waitForConnection(2, 10_000)
    expect(await eventually(() => connects(r.states) === 2)).toBe(true)
    r.socket.sendEnvelope({ envelope_id: 'env-after', type: 'interactive', payload: {} })
    expect((await r.socket.waitForAck('env-after')).connection).toBe(2)
  })

  it('backs off while Slack is unreachable or refuses the token, and connects once it answers', async () => {
    let refusals = 3
    const r = await rig((call) => {
      if (call.method !== 'apps.connections.open' || refusals <= 0) return undefined
      refusals -= 1
      return refusals === 2 ? { status: 503 } : { body: { ok: false, error: 'invalid_auth' } }
    })
    await r.socket.waitForConnection(1, 10_000)
    const failures = r.states.filter(([s]) => s === 'disconnected')
    expect(failures).toHaveLength(3)
    expect(failures.map(([, why]) => why).join('\n')).toMatch(/invalid_auth/)
    expect(r.web.calls.filter((c) => c.method === 'apps.connections.open')).toHaveLength(4)
  })

  it('stops cleanly: the socket is closed and no reconnect follows', async () => {
    const r = await rig()
    await r.socket.waitForConnection(1)
    await r.connection.stop()
    expect(await eventually(() => r.socket.connections === 0)).toBe(true)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(r.socket.opened).toBe(1)
    expect(r.states.at(-1)).toEqual(['disconnected', 'stopped'])
  })
})

let web: SlackStandIn
let sm: SocketModeStandIn
let gate: { url: string; open: boolean; server: Server }
let connection: SocketModeConnection | undefined
const unhandled: unknown[] = []
const onUnhandled = (reason: unknown) => unhandled.push(reason)

/** A proxy in front of the Web API stand-in; while closed it drops every request (Slack unreachable). */
async function startGate(target: string): Promise<typeof gate> {
  const state = { open: true } as typeof gate
  state.server = createServer((req, res) => {
    if (!state.open) {
      req.socket.destroy()
      return
    }
    const forward = request(
      `${target}${req.url?.replace(/^\//, '')}`,
      { method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      },
    )
    req.pipe(forward)
  })
  await new Promise<void>((resolve) => state.server.listen(0, '127.0.0.1', resolve))
  state.url = `http://127.0.0.1:${(state.server.address() as AddressInfo).port}/`
  return state
}

function connect(opts: Partial<ConstructorParameters<typeof SocketModeConnection>[0]> = {}) {
  const states: Array<{ state: SocketState; reason?: string }> = []
  const envelopes: Envelope[] = []
  connection = new SocketModeConnection({
    appToken: APP_TOKEN,
    apiUrl: gate.url,
    logger: silentLogger,
    minDelayMs: 50,
    maxDelayMs: 200,
    onEnvelope: (envelope, ack) => {
      envelopes.push(envelope)
      ack()
    },
    onState: (state, reason) => states.push({ state, ...(reason ? { reason } : {}) }),
    ...opts,
  })
  connection.start()
  return { states, envelopes }
}

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe("SocketModeConnection when Slack is unreachable (the client's own reconnect would leave unhandled rejections)", () => {
  beforeEach(async () => {
    web = await startSlackStandIn()
    sm = await startSocketModeStandIn({ web })
    gate = await startGate(web.apiUrl)
    unhandled.length = 0
    process.on('unhandledRejection', onUnhandled)
  })

  afterEach(async () => {
    await connection?.stop()
    connection = undefined
    process.off('unhandledRejection', onUnhandled)
    await sm.close()
    await web.close()
    gate.server.closeAllConnections()
    await new Promise((resolve) => gate.server.close(resolve))
  })

  it('keeps retrying with backoff while apps.connections.open cannot reach Slack, then connects; nothing unhandled', async () => {
    gate.open = false
    const { states } = connect()
    await until(() => states.filter((s) => s.state === 'disconnected').length >= 3)
    expect(sm.connections).toBe(0)
    gate.open = true
    await until(() => states.at(-1)?.state === 'connected')
    sm.sendEnvelope({ envelope_id: 'env-1', type: 'interactive', payload: { type: 'block_actions' } })
    await sm.waitForAck('env-1')
    expect(unhandled).toEqual([])
  })

  it('loses the socket and Slack together (network loss): retries until both are back; nothing unhandled', async () => {
    const { states } = connect()
    await until(() => states.at(-1)?.state === 'connected')
    gate.open = false
    sm.dropSockets()
    await until(() => states.filter((s) => s.state === 'disconnected').length >= 3)
    gate.open = true
    await until(() => states.at(-1)?.state === 'connected')
    sm.sendEnvelope({ envelope_id: 'env-3', type: 'interactive', payload: { type: 'block_actions' } })
    await sm.waitForAck('env-3')
    expect(unhandled).toEqual([])
  })

  it('stops cleanly while it is still trying to reach Slack', async () => {
    gate.open = false
    const { states } = connect()
    await until(() => states.some((s) => s.state === 'disconnected'))
    await connection!.stop()
    connection = undefined
    expect(states.at(-1)).toEqual({ state: 'disconnected', reason: 'stopped' })
    expect(unhandled).toEqual([])
  })
})
