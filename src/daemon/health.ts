import type { Clock } from '../clock.js'
import { scrubSecrets } from '../secrets/scrub.js'

/** One thing that can make the daemon unhealthy. */
export type HealthProblem = 'seam' | 'state' | 'loop'

interface Failure {
  since: number
  reason: string
}

export interface HealthReport {
  status: 'ok' | 'failing'
  /** Human-readable reasons, one per failing part, e.g. "Seam failing since 2025-01-01T00:00:00.000Z: HTTP 503". */
  reasons: string[]
  /** Last successful poll of this process; null only until the first one. */
  lastPollAt: string | null
  /** The durable cursor (from the state) when known, so it shows during a Seam outage too. */
  cursor: string | null
  lagSeconds: number | null
  /**
   * With slack.appToken: the Socket Mode connection (issue 13). Never makes the status failing: a lost connection
   * stops only the buttons, never polling or delivery.
   */
  slackSocket?: SlackSocketHealth
}

export interface SlackSocketHealth {
  state: 'connecting' | 'connected' | 'disconnected'
  /** ISO time of the last state change. */
  since: string
  /** Why the last connection ended, while not connected (scrubbed of secrets). */
  reason?: string
}

const LABEL: Record<HealthProblem, string> = {
  seam: 'Seam failing',
  state: 'state writes failing',
  loop: 'poll cycle failing',
}

/**
 * What /healthz reports. The poll loop calls `ok`/`fail`; the report is 'ok' only while every part is fine.
 * `failingSince('seam')` feeds the self-monitor (how long Seam has been down).
 */
export class HealthTracker {
  private readonly failures = new Map<HealthProblem, Failure>()
  private lastPollAt: number | null = null
  private cursor: string | null = null
  private durableCursor: (() => string | null) | undefined
  private slackSocket: SlackSocketHealth | undefined

  constructor(
    private readonly clock: Clock,
    opts: { durableCursor?: () => string | null } = {},
  ) {
    this.durableCursor = opts.durableCursor
  }

  /**
   * Where the saved cursor is read from (e.g. `() => state.current().source.cursor`), so /healthz reports it and
   * its lag even before the first successful poll, as during a Seam outage at start.
   */
  useDurableCursor(read: () => string | null): void {
    this.durableCursor = read
  }

  /** Mark `part` failing. The reason is scrubbed of secrets: it shows on /healthz and in meta-alerts. */
  fail(part: HealthProblem, reason: string): void {
    const existing = this.failures.get(part)
    this.failures.set(part, { since: existing?.since ?? this.clock.now(), reason: scrubSecrets(reason) })
  }

  ok(part: HealthProblem): void {
    this.failures.delete(part)
  }

  /** The Socket Mode connection's state (reported as `slackSocket`; never part of `status`). */
  socket(state: SlackSocketHealth['state'], reason?: string): void {
    if (this.slackSocket?.state === state && state !== 'disconnected') return
    const since =
      this.slackSocket?.state === state ? this.slackSocket.since : new Date(this.clock.now()).toISOString()
    this.slackSocket = {
      state,
      since,
      ...(reason && state !== 'connected' ? { reason: scrubSecrets(reason) } : {}),
    }
  }

  polled(cursor: string | null): void {
    this.lastPollAt = this.clock.now()
    this.cursor = cursor
  }

  failingSince(part: HealthProblem): number | undefined {
    return this.failures.get(part)?.since
  }

  reason(part: HealthProblem): string | undefined {
    return this.failures.get(part)?.reason
  }

  healthy(): boolean {
    return this.failures.size === 0
  }

  private currentCursor(): string | null {
    if (this.durableCursor) {
      try {
        return this.durableCursor() ?? this.cursor
      } catch {
        return this.cursor
      }
    }
    return this.cursor
  }

  report(): HealthReport {
    const reasons = [...this.failures.entries()].map(
      ([part, failure]) => `${LABEL[part]} since ${new Date(failure.since).toISOString()}: ${failure.reason}`,
    )
    const cursor = this.currentCursor()
    const cursorMs = cursor ? Date.parse(cursor) : Number.NaN
    const lag = Number.isNaN(cursorMs) ? null : Math.max(0, (this.clock.now() - cursorMs) / 1000)
    return {
      status: reasons.length === 0 ? 'ok' : 'failing',
      reasons,
      lastPollAt: this.lastPollAt === null ? null : new Date(this.lastPollAt).toISOString(),
      cursor,
      lagSeconds: lag === null ? null : Math.round(lag),
      ...(this.slackSocket ? { slackSocket: this.slackSocket } : {}),
    }
  }
}
