import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { type WebSocket, WebSocketServer } from 'ws'
import { type BlockActionsInput, blockActionsPayload } from './block-actions.js'
import type { SlackMessage, SlackStandIn } from './slack-stand-in.js'

/** An envelope as Slack sends it over Socket Mode (https://docs.slack.dev/apis/events-api/using-socket-mode). */
export interface Envelope {
  envelope_id: string
  type: string
  accepts_response_payload?: boolean
  payload?: unknown
  retry_attempt?: number
  retry_reason?: string
  [key: string]: unknown
}

/** One ack the client sent: `{envelope_id, payload?}`, with when it came relative to the envelope. */
export interface Ack {
  envelope_id: string
  payload: unknown
  /** Connection number (1-based, in opening order) the ack came on. */
  connection: number
  /** performance.now() when the ack arrived. */
  at: number
  /** Milliseconds from sending the envelope to the ack; undefined for an ack of an envelope never sent. */
  ms: number | undefined
  /** Slack's limit for interactive envelopes is 3 seconds: a later ack is recorded, flagged, and useless. */
  late: boolean
}

export interface SentEnvelope {
  envelope: Envelope
  connection: number
  at: number
}

export type DisconnectReason = 'refresh_requested' | 'warning' | 'link_disabled' | (string & {})

export interface SocketModeStandInOptions {
  /** The Web API stand-in whose `apps.connections.open` hands out this server's URLs. */
  web: SlackStandIn
  appId?: string
  teamId?: string
  /**
   * Resend envelopes that were never acked on the next connection, with `retry_attempt` and `retry_reason`. Slack
   * does this for Events API envelopes only; an unacked interactive envelope is not redelivered (the user sees an
   * error on the button instead), so this is off by default.
   */
  redeliverUnacked?: boolean
  /** Send a WebSocket ping this often, as Slack's servers do (off by default). */
  pingIntervalMs?: number
}

/**
 * A `ws` WebSocketServer on 127.0.0.1 that behaves like Slack's Socket Mode server, for the real
 * `@slack/socket-mode` client. It attaches itself to the Web API stand-in: each `apps.connections.open` issues a
 * one-time `ws://127.0.0.1:<port>/link/?ticket=…&app_id=…` URL (a reused or unknown ticket is refused, as Slack's
 * are). On each connection it sends `hello`; `click()` and `sendEnvelope()` deliver envelopes to the newest open
 * connection and `acks` records each `{envelope_id, payload}` the client sends back.
 */
export async function startSocketModeStandIn(opts: SocketModeStandInOptions) {
  const appId = opts.appId ?? 'A_SEAM_ALERTS'
  const teamId = opts.teamId ?? 'T_SEAM'
  const tickets = new Set<string>()
  const open = new Map<WebSocket, number>()
  const frozen = new Set<WebSocket>()
  const acks: Ack[] = []
  const sent: SentEnvelope[] = []
  const refusedUpgrades: string[] = []
  const otherMessages: unknown[] = []
  const connectionWaiters: Array<{ n: number; resolve: () => void }> = []
  const ackWaiters: Array<{ id: string; resolve: (ack: Ack) => void }> = []
  let opened = 0
  let clicks = 0

  const http: Server = createServer((_req, res) => {
    res.writeHead(404).end()
  })
  const wss = new WebSocketServer({ noServer: true, autoPong: false })
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'ws://127.0.0.1')
    const ticket = url.searchParams.get('ticket') ?? ''
    if (url.pathname !== '/link/' || !tickets.delete(ticket)) {
      refusedUpgrades.push(req.url ?? '')
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws))
  })

  function accept(ws: WebSocket): void {
    opened += 1
    const number = opened
    open.set(ws, number)
    ws.on('ping', (data) => {
      if (!frozen.has(ws)) ws.pong(data)
    })
    ws.on('message', (data) => {
      if (frozen.has(ws)) return
      onMessage(String(data), number)
    })
    ws.on('close', () => {
      open.delete(ws)
      frozen.delete(ws)
    })
    ws.on('error', () => {})
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: open.size,
        debug_info: {
          host: `applink-stand-in-${number}`,
          build_number: 1,
          approximate_connection_time: 18060,
        },
        connection_info: { app_id: appId },
      }),
    )
    for (const w of connectionWaiters.splice(0)) {
      if (opened >= w.n) w.resolve()
      else connectionWaiters.push(w)
    }
    if (opts.redeliverUnacked) redeliver()
  }

  function onMessage(text: string, connection: number): void {
    let message: { envelope_id?: unknown; payload?: unknown }
    try {
      message = JSON.parse(text) as typeof message
    } catch {
      otherMessages.push(text)
      return
    }
    if (typeof message.envelope_id !== 'string') {
      otherMessages.push(message)
      return
    }
    const now = performance.now()
    const out = [...sent].reverse().find((s) => s.envelope.envelope_id === message.envelope_id)
    const ms = out === undefined ? undefined : now - out.at
    const ack: Ack = {
      envelope_id: message.envelope_id,
      payload: message.payload,
      connection,
      at: now,
      ms,
      late: ms !== undefined && ms > 3000,
    }
    acks.push(ack)
    standIn.onAck?.(ack)
    for (const w of ackWaiters.splice(0)) {
      if (w.id === ack.envelope_id) w.resolve(ack)
      else ackWaiters.push(w)
    }
  }

  /** Envelopes sent and never acked (latest delivery of each envelope_id). */
  function unacked(): SentEnvelope[] {
    const latest = new Map<string, SentEnvelope>()
    for (const s of sent) latest.set(s.envelope.envelope_id, s)
    return [...latest.values()].filter((s) => !acks.some((a) => a.envelope_id === s.envelope.envelope_id))
  }

  function redeliver(): void {
    for (const s of unacked()) {
      const attempt = (s.envelope.retry_attempt ?? 0) + 1
      deliver({ ...s.envelope, retry_attempt: attempt, retry_reason: 'timeout' })
    }
  }

  function newest(): WebSocket | undefined {
    let best: [WebSocket, number] | undefined
    for (const entry of open) if (!frozen.has(entry[0]) && (!best || entry[1] > best[1])) best = entry
    return best?.[0]
  }

  function deliver(envelope: Envelope): SentEnvelope {
    const ws = newest()
    if (!ws) throw new Error(`socket-mode stand-in: no open connection to deliver ${envelope.envelope_id} on`)
    const record = { envelope, connection: open.get(ws) ?? 0, at: performance.now() }
    sent.push(record)
    ws.send(JSON.stringify(envelope), () => standIn.onSent?.(record))
    return record
  }

  function waitForAck(envelopeId: string, timeoutMs = 10_000): Promise<Ack> {
    const found = acks.find((a) => a.envelope_id === envelopeId)
    if (found) return Promise.resolve(found)
    return new Promise((resolve, reject) => {
      const waiter = { id: envelopeId, resolve }
      ackWaiters.push(waiter)
      setTimeout(() => {
        const index = ackWaiters.indexOf(waiter)
        if (index < 0) return
        ackWaiters.splice(index, 1)
        reject(new Error(`socket-mode stand-in: no ack for envelope ${envelopeId} within ${timeoutMs} ms`))
      }, timeoutMs).unref()
    })
  }

  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const port = (http.address() as AddressInfo).port
  const pinger =
    opts.pingIntervalMs === undefined
      ? undefined
      : setInterval(() => {
          for (const ws of open.keys()) if (!frozen.has(ws)) ws.ping(`ping-${Date.now()}`)
        }, opts.pingIntervalMs).unref()

  const standIn = {
    url: `ws://127.0.0.1:${port}/link/`,
    appId,
    teamId,
    acks,
    sent,
    /** Called synchronously as each ack arrives (e.g. to SIGKILL the daemon the moment it has acked). */
    onAck: undefined as ((ack: Ack) => void) | undefined,
    /** Called as soon as an envelope has been written to the socket (e.g. to SIGKILL the daemon before it acks). */
    onSent: undefined as ((sent: SentEnvelope) => void) | undefined,
    /** Upgrade requests refused (an unknown, reused or missing ticket). */
    refusedUpgrades,
    /** Client messages that were not acks (none expected). */
    otherMessages,
    /** Open connections now. */
    get connections() {
      return open.size
    },
    /** Connections accepted so far (each got a `hello`). */
    get opened() {
      return opened
    },
    /** Resolves once `n` connections in all have been accepted (so `waitForConnection(2)` means one reconnect). */
    waitForConnection(n = 1, timeoutMs = 20_000): Promise<void> {
      if (opened >= n) return Promise.resolve()
      return new Promise((resolve, reject) => {
        const waiter = { n, resolve }
        connectionWaiters.push(waiter)
        setTimeout(() => {
          const index = connectionWaiters.indexOf(waiter)
          if (index < 0) return
          connectionWaiters.splice(index, 1)
          reject(
            new Error(`socket-mode stand-in: ${opened} connection(s), wanted ${n}, after ${timeoutMs} ms`),
          )
        }, timeoutMs).unref()
      })
    },
    /** Issue a one-time URL (what `apps.connections.open` answers). */
    issueUrl(): string {
      const ticket = randomUUID()
      tickets.add(ticket)
      return `${standIn.url}?ticket=${ticket}&app_id=${appId}`
    },
    /** Send an envelope as is (a duplicate `envelope_id`, an unknown message, a crafted payload). */
    sendEnvelope(envelope: Envelope): SentEnvelope {
      return deliver(envelope)
    },
    /**
     * A user clicking a button on a message the daemon posted (as the Web API stand-in holds it now, after any
     * chat.update): an `interactive` envelope with a `block_actions` payload, resolving with the client's ack.
     */
    async click(
      input: Omit<BlockActionsInput, 'appId' | 'teamId' | 'n' | 'responseUrlBase' | 'message'> & {
        message: Pick<SlackMessage, 'channel' | 'ts'>
        timeoutMs?: number
      },
    ): Promise<Ack & { envelope: Envelope }> {
      const held = opts.web.message(input.message.channel, input.message.ts)
      if (!held)
        throw new Error(`socket-mode stand-in: no message ${input.message.channel} ${input.message.ts}`)
      clicks += 1
      const payload = blockActionsPayload({
        ...input,
        message: held,
        appId,
        teamId,
        n: clicks,
        responseUrlBase: opts.web.url,
      })
      const envelope: Envelope = {
        envelope_id: randomUUID(),
        type: 'interactive',
        accepts_response_payload: false,
        payload,
      }
      deliver(envelope)
      return { ...(await waitForAck(envelope.envelope_id, input.timeoutMs)), envelope }
    },
    waitForAck,
    unacked,
    /** Send `{type: "disconnect", reason}` on every open connection, as Slack does before recycling a link. */
    disconnect(reason: DisconnectReason = 'refresh_requested'): void {
      for (const [ws, number] of open) {
        ws.send(
          JSON.stringify({ type: 'disconnect', reason, debug_info: { host: `applink-stand-in-${number}` } }),
        )
      }
    },
    /** Network loss: destroy every open socket's TCP connection, with no close frame. */
    dropSockets(): void {
      for (const ws of open.keys()) ws.terminate()
    },
    /**
     * A silent network partition: the open connections stay up at the TCP level but nothing more goes through
     * (no pongs, no messages either way). The client has to notice by its own ping timeout.
     */
    blackhole(): void {
      for (const ws of open.keys()) frozen.add(ws)
    },
    async close(): Promise<void> {
      if (pinger) clearInterval(pinger)
      if (opts.web.socketMode === standIn) opts.web.socketMode = undefined
      for (const ws of open.keys()) ws.terminate()
      await new Promise<void>((resolve) => wss.close(() => resolve()))
      http.closeAllConnections()
      await new Promise<void>((resolve) => http.close(() => resolve()))
    },
  }
  opts.web.socketMode = standIn
  return standIn
}

export type SocketModeStandIn = Awaited<ReturnType<typeof startSocketModeStandIn>>
