import { SocketModeClient } from '@slack/socket-mode'
import { errorMessage } from '../../errors.js'
import type { Logger } from '../../log.js'
import { quietSlackLogger, slackApiBase } from '../../notify/slack.js'

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
  /**
   * One envelope with an id; `ack` sends `{envelope_id}` back to Slack. It returns false when there is no live
   * socket to send it on (the envelope will be redelivered or the click shown as failed by Slack).
   */
  onEnvelope(envelope: Envelope, ack: () => boolean): void
  onState(state: SocketState, reason?: string): void
  /** Reconnect backoff after failures: from `minDelayMs`, doubling, up to `maxDelayMs` (jittered). */
  minDelayMs?: number
  maxDelayMs?: number
  /** How long the client waits for a pong to its pings, and for Slack's pings, before the socket counts as dead. */
  clientPingTimeoutMs?: number
  serverPingTimeoutMs?: number
  /** Bound of `apps.connections.open`. */
  openTimeoutMs?: number
  random?: () => number
}

/** What `@slack/socket-mode` hands on for every envelope (its `slack_event`). */
interface SlackEvent {
  ack: (response?: Record<string, unknown>) => Promise<void>
  envelope_id: string
  type: string
  body?: unknown
  retry_num?: number
  retry_reason?: string
  accepts_response_payload?: boolean
}

/**
 * The Socket Mode connection, on Slack's own client (`@slack/socket-mode`): it calls `apps.connections.open`
 * (through slack.apiUrl), opens the WebSocket, waits for `hello`, answers Slack's pings and finds a dead socket by
 * its own, follows Slack's `disconnect` messages, and hands every envelope on with its `ack`.
 *
 * Reconnecting is ours, not the client's: its automatic reconnect leaves a failed `apps.connections.open` (Slack
 * unreachable during a network loss) as an unhandled promise rejection, which would end the daemon. Here the
 * client runs with `autoReconnectEnabled: false`, and every end of a session (network loss, Slack's `disconnect`,
 * a refused token) becomes a state change, a log line and a new `start()` after a backoff: at once after a session
 * that worked, exponentially after failures. Nothing here throws into the daemon.
 */
export class SocketModeConnection {
  private stopped = false
  private loop: Promise<void> | undefined
  private connected = false
  /** Why the current link is ending, when Slack said so. */
  private endReason: string | undefined
  private wakeUp: (() => void) | undefined
  private readonly client: SocketModeClient
  private readonly opts: Required<Omit<SocketConnectionOptions, 'random'>> & { random: () => number }

  constructor(options: SocketConnectionOptions) {
    this.opts = {
      minDelayMs: 1000,
      maxDelayMs: 60_000,
      clientPingTimeoutMs: 5000,
      serverPingTimeoutMs: 30_000,
      openTimeoutMs: 10_000,
      random: Math.random,
      ...options,
    }
    this.client = new SocketModeClient({
      appToken: this.opts.appToken,
      autoReconnectEnabled: false,
      clientPingTimeout: this.opts.clientPingTimeoutMs,
      serverPingTimeout: this.opts.serverPingTimeoutMs,
      // Its own lines (debug: whole payloads) stay at debug level, under the redacting logger.
      logger: quietSlackLogger(this.opts.logger.child({ component: 'slack-socket-mode' })),
      clientOptions: {
        slackApiUrl: slackApiBase(this.opts.apiUrl),
        retryConfig: { retries: 0 },
        timeout: this.opts.openTimeoutMs,
        allowAbsoluteUrls: false,
      },
    })
    this.client.on('slack_event', (event: SlackEvent) => this.onEvent(event))
    // Only to say why a link ended: the client follows Slack's `disconnect` message itself.
    this.client.on('ws_message', (data: unknown) => {
      const text = typeof data === 'string' ? data : ''
      if (!text.includes('"disconnect"')) return
      try {
        const message = JSON.parse(text) as { type?: unknown; reason?: unknown }
        if (message.type === 'disconnect')
          this.endReason = `Slack asked to reconnect (${String(message.reason ?? 'no reason')})`
      } catch {
        // Not JSON: the client ignores it too.
      }
    })
  }

  start(): void {
    this.loop ??= this.run()
  }

  /** Close the socket (a close frame; the client forces it after a timeout) and stop reconnecting. */
  async stop(): Promise<void> {
    this.stopped = true
    this.wakeUp?.()
    await this.client.disconnect().catch(() => undefined)
    await this.loop
  }

  private async run(): Promise<void> {
    let failures = 0
    while (!this.stopped) {
      this.opts.onState('connecting')
      let reason: string
      let greeted = false
      const ended = this.nextDisconnect()
      try {
        await this.client.start()
        greeted = true
        this.connected = true
        if (this.stopped) break
        this.opts.onState('connected')
        reason = await ended
      } catch (error) {
        reason = error === undefined ? 'the socket closed before hello' : errorMessage(error)
      } finally {
        this.connected = false
        ended.cancel()
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
    // A start() that was still opening when stop() came may have connected since: close that one too.
    await this.client.disconnect().catch(() => undefined)
    this.opts.onState('disconnected', 'stopped')
  }

  /**
   * Resolves with why the session ended, at the client's next `disconnected`. `cancel` drops the listener (a start
   * that failed before any socket existed never emits one).
   */
  private nextDisconnect(): Promise<string> & { cancel(): void } {
    let listener: (error?: unknown) => void = () => {}
    const ended = new Promise<string>((resolve) => {
      listener = (error?: unknown) => {
        resolve(this.endReason ?? (error === undefined ? 'socket closed' : errorMessage(error)))
        this.endReason = undefined
      }
      this.client.once('disconnected', listener)
    })
    return Object.assign(ended, { cancel: () => this.client.off('disconnected', listener) })
  }

  private onEvent(event: SlackEvent): void {
    const envelope: Envelope = {
      envelope_id: event.envelope_id,
      type: event.type,
      payload: event.body,
      ...(event.accepts_response_payload !== undefined
        ? { accepts_response_payload: event.accepts_response_payload }
        : {}),
      ...(event.retry_num !== undefined ? { retry_attempt: event.retry_num } : {}),
      ...(event.retry_reason !== undefined ? { retry_reason: event.retry_reason } : {}),
    }
    const ack = (): boolean => {
      if (!this.connected) return false
      event
        .ack()
        .catch((error: unknown) =>
          this.opts.logger.warn(
            { err: errorMessage(error), envelope: event.envelope_id },
            'slack socket mode: the ack could not be sent (the socket closed); Slack may redeliver the envelope',
          ),
        )
      return true
    }
    this.opts.onEnvelope(envelope, ack)
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
}
