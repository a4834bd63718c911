/**
 * The Socket Mode connection (Slack's own client plus our reconnect loop) against the stand-ins: it survives
 * Slack being unreachable (a failed apps.connections.open), a silent partition found by pings, and it never leaves
 * an unhandled rejection behind (which would end the daemon).
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
import { type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js'
import { type SocketModeStandIn, startSocketModeStandIn } from '../helpers/socket-mode-stand-in.js'

const APP_TOKEN = 'xapp-1-A0STANDIN-1-0123456789abcdef'

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

describe('SocketModeConnection on @slack/socket-mode', () => {
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

  it('finds a silent partition by its pings and reconnects on a new link', async () => {
    const { states, envelopes } = connect({ clientPingTimeoutMs: 200, serverPingTimeoutMs: 400 })
    await until(() => states.at(-1)?.state === 'connected')
    sm.blackhole()
    await until(() => states.some((s) => s.state === 'disconnected'), 15_000)
    await sm.waitForConnection(2)
    await until(() => states.at(-1)?.state === 'connected', 15_000)
    sm.sendEnvelope({ envelope_id: 'env-2', type: 'interactive', payload: { type: 'block_actions' } })
    await sm.waitForAck('env-2')
    expect(envelopes.map((e) => e.envelope_id)).toEqual(['env-2'])
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
