/**
 * Per-target pacing. Slack allows about one message per second per channel, so every Slack target (bot or
 * webhook) waits `slackPaceMs` between sends; any target also waits out a rate limit's Retry-After.
 */
export class TargetPacer {
  private readonly until = new Map<string, number>()
  constructor(private readonly slackPaceMs: number) {}

  /** Earliest time the target may send again (0 = now). */
  readyAt(target: string): number {
    return this.until.get(target) ?? 0
  }

  /** Called when a send to `target` starts. */
  started(target: string, now: number): void {
    if (target.startsWith('slack') && this.slackPaceMs > 0) this.hold(target, now + this.slackPaceMs)
  }

  /** Do not send to `target` before `time` (Retry-After). */
  hold(target: string, time: number): void {
    this.until.set(target, Math.max(this.readyAt(target), time))
  }
}
