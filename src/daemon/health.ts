import type { Clock } from '../clock.js'

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
  lastPollAt: string | null
  cursor: string | null
  lagSeconds: number | null
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

  constructor(private readonly clock: Clock) {}

  fail(part: HealthProblem, reason: string): void {
    const existing = this.failures.get(part)
    this.failures.set(part, { since: existing?.since ?? this.clock.now(), reason })
  }

  ok(part: HealthProblem): void {
    this.failures.delete(part)
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

  report(): HealthReport {
    const reasons = [...this.failures.entries()].map(
      ([part, failure]) => `${LABEL[part]} since ${new Date(failure.since).toISOString()}: ${failure.reason}`,
    )
    const lag = this.cursor ? Math.max(0, (this.clock.now() - Date.parse(this.cursor)) / 1000) : null
    return {
      status: reasons.length === 0 ? 'ok' : 'failing',
      reasons,
      lastPollAt: this.lastPollAt === null ? null : new Date(this.lastPollAt).toISOString(),
      cursor: this.cursor,
      lagSeconds: lag === null ? null : Math.round(lag),
    }
  }
}
