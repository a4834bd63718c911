/**
 * The Socket Mode connection against the stand-ins: `apps.connections.open` through slack.apiUrl with the app
 * token, `hello`, acks, and every way a link ends (Slack's `disconnect`, a dropped socket, a silent partition, Slack
 * unreachable or refusing) followed by a reconnect, with backoff after failures.
 */
import { afterEach, describe, expect, it } from 'vitest'
import {
  type Envelope,
  SocketModeConnection,
  type SocketState,
} from '../../src/daemon/slack-actions/socket-connection.js'
import { captureLogger } from '../helpers/fixtures.js'
import { type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js'
import { startSocketModeStandIn } from '../helpers/socket-mode-stand-in.js'
import { eventually } from '../helpers/stalled-server.js'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function rig(script?: Parameters<typeof startSlackStandIn>[0], opts: { pingIntervalMs?: number } = {}) {
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
    pingIntervalMs: opts.pingIntervalMs ?? 10_000,
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
    r.socket.sendEnvelope({ envelope_id: 'env-1', type: 'events_api', payload: {} })
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
    r.socket.sendEnvelope({ envelope_id: 'env-late', type: 'events_api', payload: {} })
    expect((await r.socket.waitForAck('env-late')).connection).toBe(3)
  })

  it('finds a silently dead link by ping and reconnects', async () => {
    const r = await rig(undefined, { pingIntervalMs: 100 })
    await r.socket.waitForConnection(1)
    r.socket.blackhole()
    await r.socket.waitForConnection(2, 10_000)
    expect(r.states.some(([s, why]) => s === 'disconnected' && /no pong/.test(why ?? ''))).toBe(true)
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
