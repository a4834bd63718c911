import { WebClient } from '@slack/web-api'
import WebSocket from 'ws'
import { errorMessage } from '../../errors.js'
import type { Logger } from '../../log.js'
import { quietSlackLogger } from '../../notify/slack.js'

export type SocketState = 'connecting' | 'connected' | 'disconnected'

/** A Socket Mode envelope (https://docs.slack.dev/apis/events-api/using-socket-mode). */
export interface Envelope {
  envelope_id: string
  type: string
  payload?: unknown
  accepts_response_payload?: boolean
  retry_attempt?: number
  retry_reason?: string
}

export interface SocketConnectionOptions {
  /** slack.appToken (`xapp-…`): only ever sent as the bearer token of `apps.connections.open`. */
  appToken: string
  /** slack.apiUrl: `apps.connections.open` goes there like every other Web API call. */
  apiUrl: string
  logger: Logger
  /** One envelope with an id; `ack` sends `{envelope_id}` back on the socket it came on (false: socket gone). */
  onEnvelope(envelope: Envelope, ack: () => boolean): void
  onState(state: SocketState, reason?: string): void
  /** Reconnect backoff after failures: from `minDelayMs`, doubling, up to `maxDelayMs` (jittered). */
  minDelayMs?: number
  maxDelayMs?: number
  /** A ping this often; no pong (nor any message) by the next one and the socket is taken for dead. */
  pingIntervalMs?: number
  /** Bound of `apps.connections.open` and of the WebSocket handshake. */
  openTimeoutMs?: number
  random?: () => number
}

/**
 * The Socket Mode connection: `apps.connections.open` (through slack.apiUrl) for a one-time WebSocket URL, connect,
 * wait for `hello`, hand every envelope on, and start over when the socket ends: at once after Slack's
 * `disconnect` message (it is about to recycle the link) or after a session that worked, with exponential backoff
 * after failures (refused token, Slack unreachable, network loss). A dead socket that never closes is found by
 * ping/pong. Nothing here throws into the daemon: every failure becomes a state change, a log line and a retry.
 */
export class SocketModeConnection {
  private stopped = false
  private loop: Promise<void> | undefined
  private socket: WebSocket | undefined
  private wakeUp: (() => void) | undefined
  private readonly opts: Required<Omit<SocketConnectionOptions, 'random'>> & { random: () => number }

  constructor(options: SocketConnectionOptions) {
    this.opts = {
      minDelayMs: 1000,
      maxDelayMs: 60_000,
      pingIntervalMs: 10_000,
      openTimeoutMs: 10_000,
      random: Math.random,
      ...options,
    }
  }

  start(): void {
    this.loop ??= this.run()
  }

  /** Close the socket (a close frame, then a hard stop if the peer does not answer) and stop reconnecting. */
  async stop(): Promise<void> {
    this.stopped = true
    this.wakeUp?.()
    const socket = this.socket
    if (socket && socket.readyState !== WebSocket.CLOSED) {
      socket.close(1000)
      const hard = setTimeout(() => socket.terminate(), 2000)
      await new Promise<void>((resolve) => {
        if (socket.readyState === WebSocket.CLOSED) resolve()
        else socket.once('close', () => resolve())
      })
      clearTimeout(hard)
    }
    await this.loop
  }

  private async run(): Promise<void> {
    let failures = 0
    while (!this.stopped) {
      this.opts.onState('connecting')
      let greeted = false
      let reason: string
      try {
        const url = await this.openUrl()
        if (this.stopped) break
        reason = await this.session(url, () => {
          greeted = true
        })
      } catch (error) {
        reason = errorMessage(error)
      }
      if (this.stopped) break
      failures = greeted ? 0 : failures + 1
      this.opts.onState('disconnected', reason)
      const delay = this.delay(failures)
      const refused = /invalid_auth|not_authed|not_allowed_token_type|account_inactive|token_revoked/.test(
        reason,
      )
      const fields = { reason, retryInMs: delay }
      if (refused)
        this.opts.logger.error(
          fields,
          'slack socket mode: Slack refused slack.appToken (it must be an app-level xapp- token with connections:write); retrying',
        )
      else if (failures > 0) this.opts.logger.warn(fields, 'slack socket mode: cannot connect; retrying')
      else this.opts.logger.info(fields, 'slack socket mode: connection ended; reconnecting')
      await this.sleep(delay)
    }
    this.opts.onState('disconnected', 'stopped')
  }

  /** 0 after a session that worked; then minDelay, doubling, capped, each between half and all of it. */
  private delay(failures: number): number {
    if (failures === 0) return 0
    const full = Math.min(this.opts.maxDelayMs, this.opts.minDelayMs * 2 ** (failures - 1))
    return Math.round(full / 2 + (full / 2) * this.opts.random())
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.stopped) return Promise.resolve()
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms)
      function done() {
        clearTimeout(timer)
        resolve()
      }
      this.wakeUp = done
    })
  }

  private async openUrl(): Promise<string> {
    const apiUrl = this.opts.apiUrl.endsWith('/') ? this.opts.apiUrl : `${this.opts.apiUrl}/`
    const client = new WebClient(this.opts.appToken, {
      slackApiUrl: apiUrl,
      retryConfig: { retries: 0 },
      timeout: this.opts.openTimeoutMs,
      allowAbsoluteUrls: false,
      logger: quietSlackLogger(this.opts.logger),
    })
    const answer = await client.apps.connections.open({})
    if (!answer.url) throw new Error('apps.connections.open answered without a url')
    return answer.url
  }

  /** One WebSocket session; resolves with why it ended. */
  private session(url: string, greeted: () => void): Promise<string> {
    return new Promise((resolve) => {
      const socket = new WebSocket(url, { handshakeTimeout: this.opts.openTimeoutMs })
      this.socket = socket
      let reason: string | undefined
      let alive = true
      const pinger = setInterval(() => {
        if (!alive) {
          reason ??= `no pong within ${this.opts.pingIntervalMs} ms`
          socket.terminate()
          return
        }
        alive = false
        if (socket.readyState === WebSocket.OPEN) socket.ping()
      }, this.opts.pingIntervalMs)
      socket.on('pong', () => {
        alive = true
      })
      socket.on('ping', () => {
        alive = true
      })
      socket.on('message', (data) => {
        alive = true
        this.onMessage(socket, String(data), greeted, (why) => {
          reason = why
        })
      })
      socket.on('error', (error) => {
        reason ??= errorMessage(error)
      })
      socket.on('close', (code) => {
        clearInterval(pinger)
        if (this.socket === socket) this.socket = undefined
        resolve(reason ?? `socket closed (code ${code})`)
      })
    })
  }

  private onMessage(
    socket: WebSocket,
    text: string,
    greeted: () => void,
    ended: (why: string) => void,
  ): void {
    let message: Partial<Envelope> & { reason?: unknown }
    try {
      message = JSON.parse(text) as typeof message
    } catch {
      this.opts.logger.warn('slack socket mode: a message that is not JSON; ignored')
      return
    }
    if (message.type === 'hello') {
      greeted()
      this.opts.onState('connected')
      return
    }
    if (message.type === 'disconnect') {
      ended(`Slack asked to reconnect (${String(message.reason ?? 'no reason')})`)
      socket.close(1000)
      // The link is about to be recycled: do not wait long for the close handshake.
      setTimeout(() => socket.terminate(), 1000).unref()
      return
    }
    if (typeof message.envelope_id !== 'string' || typeof message.type !== 'string') return
    const envelope = message as Envelope
    const ack = (): boolean => {
      if (socket.readyState !== WebSocket.OPEN) return false
      socket.send(JSON.stringify({ envelope_id: envelope.envelope_id }))
      return true
    }
    this.opts.onEnvelope(envelope, ack)
  }
}
