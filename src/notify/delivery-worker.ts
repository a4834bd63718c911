import type { Clock } from '../clock.js'
import type { Config } from '../config.js'
import { errorMessage } from '../errors.js'
import type { Logger } from '../log.js'
import type { Action } from '../rules/action-schema.js'
import { type Decision, type Group, incidentKey } from '../rules/decision.js'
import type { OutboxItem } from '../state/state-schema.js'
import type { StateAccess } from '../state/store.js'
import { alertMessageFor, sendableAction } from './alert-message.js'
import {
  type ChannelKind,
  channelKind,
  missingChannelReason,
  type Notifiers,
  sendSignal,
} from './channels.js'
import { failureOutcome, toDeliveryError } from './failure-outcome.js'
import { DeliveryError } from './notifier.js'
import { logOutcome } from './outcome-log.js'
import { OutcomeRecorder } from './outcome-recorder.js'
import type { Outcome } from './outcomes.js'
import { TargetPacer } from './pacer.js'
import { chooseUnit, type SendUnit, stormKey } from './rollup.js'

export interface DeliveryWorkerOptions {
  state: StateAccess
  notifiers: Notifiers
  /** Re-resolve the full action (with secrets such as webhookUrl) from an outbox item's actionRef. */
  resolveAction: (actionRef: string) => Action | undefined
  ruleInfo: (ruleId: string) => { description?: string; severity?: string } | undefined
  deviceName?: (deviceId: string) => Promise<string | undefined>
  /** Which alerts may carry Slack buttons (with slack.appToken): fires of rules, not digests or meta-alerts. */
  interactive?: (decision: Decision) => boolean
  clock: Clock
  logger: Logger
  delivery: Config['delivery']
  timezone: string
  onOutcome?: (outcome: 'sent' | 'retry' | 'dead', item: OutboxItem, error?: string) => void
  /**
   * A replica's leadership (src/daemon/ha/): `mayAct` is checked immediately before each send (false: the send is
   * not made and its items stay queued, unrecorded); `lost` aborts the sends in flight and ends the worker.
   */
  leadership?: { mayAct(): boolean; readonly lost: AbortSignal }
  /** Waits for backoff and pacing (tests pass one that advances a manual clock). */
  sleep?: (ms: number) => Promise<void>
  random?: () => number
}

interface Timer {
  promise: Promise<void>
  cancel(): void
}

function realTimer(ms: number): Timer {
  let handle: NodeJS.Timeout | undefined
  const promise = new Promise<void>((resolve) => {
    handle = setTimeout(resolve, Math.max(0, ms))
  })
  return { promise, cancel: () => clearTimeout(handle) }
}

const IDLE_RECHECK_MS = 30_000

/**
 * Sends outbox items. Every target (actionTarget) is its own queue with at most one send in flight, so a
 * dead or slow target never delays another. Outcomes are persisted through StateAccess.update in batches;
 * an item leaves the outbox only once its outcome is recorded.
 */
export class DeliveryWorker {
  private readonly inFlight = new Map<string, Promise<void>>()
  private readonly pacer: TargetPacer
  private readonly storms = new Map<string, number>()
  private readonly recorder: OutcomeRecorder
  private stopping = false
  /** Aborted by stop() once the grace for sends in flight is over: they end at once and stay queued. */
  private readonly cancel = new AbortController()
  /** What ends sends in flight: stop()'s cancel, or the loss of the lease (one signal for the worker's life). */
  private readonly stopSignal: AbortSignal
  private loop: Promise<void> | undefined
  /** A leadership check failed before a send: this worker sends nothing more. */
  #notLeader = false
  private wake: (() => void) | undefined

  constructor(private readonly opts: DeliveryWorkerOptions) {
    this.pacer = new TargetPacer(opts.delivery.slackPace)
    this.recorder = new OutcomeRecorder(opts.state, opts.logger)
    const lost = opts.leadership?.lost
    this.stopSignal = lost ? AbortSignal.any([this.cancel.signal, lost]) : this.cancel.signal
  }

  /** Run in the background until stop(): sends whatever becomes due; kick() after enqueueing. */
  start(): void {
    if (this.loop || this.stopping) return
    this.loop = this.run(Number.POSITIVE_INFINITY, undefined).catch((error) => {
      this.opts.logger.error({ err: errorMessage(error) }, 'delivery worker stopped unexpectedly')
    })
  }

  kick(): void {
    this.wake?.()
  }

  /** Deliver everything due within `timeoutMs` (waiting out backoff/pacing inside that bound) and wait for it. */
  async drain(timeoutMs: number): Promise<void> {
    const hard = realTimer(timeoutMs)
    try {
      await this.run(this.opts.clock.now() + timeoutMs, hard.promise)
    } finally {
      hard.cancel()
    }
    await this.recorder.flush()
  }

  /**
   * Take no new work and give in-flight sends up to `timeoutMs` to finish. Sends still running then are aborted:
   * not failures, their items stay in the outbox for the next start. Everything else stays in the outbox too.
   */
  async stop(timeoutMs: number): Promise<void> {
    this.stopping = true
    this.kick()
    const grace = realTimer(timeoutMs)
    try {
      await Promise.race([Promise.allSettled([...this.inFlight.values()]), grace.promise])
      const cancelled = [...this.inFlight.keys()]
      if (cancelled.length > 0) {
        this.cancel.abort()
        this.opts.logger.warn({ inFlight: cancelled }, 'stopped with sends in flight; they stay queued')
      }
      // Aborted sends settle at once; the bound only guards against a channel that ignores its signal.
      const settle = realTimer(timeoutMs)
      await Promise.race([Promise.allSettled([...this.inFlight.values()]), settle.promise])
      settle.cancel()
      await this.loop
      await Promise.race([this.recorder.flush(), grace.promise])
    } finally {
      grace.cancel()
    }
  }

  private wait(ms: number): Timer {
    if (this.opts.sleep) return { promise: this.opts.sleep(Math.max(0, ms)), cancel: () => {} }
    return realTimer(ms)
  }

  private async run(until: number, hardStop: Promise<void> | undefined): Promise<void> {
    const forever = until === Number.POSITIVE_INFINITY
    let stopped = false
    void hardStop?.then(() => {
      stopped = true
    })
    const lost = this.opts.leadership?.lost
    while (!this.stopping && !stopped && !lost?.aborted && !this.#notLeader) {
      const now = this.opts.clock.now()
      const nextAt = this.pump(now)
      if (!forever && this.inFlight.size === 0 && (nextAt === undefined || nextAt > until)) return
      const waits: Promise<unknown>[] = [...this.inFlight.values()]
      const timers: Timer[] = []
      if (hardStop) waits.push(hardStop)
      if (nextAt !== undefined && nextAt <= until) {
        const timer = this.wait(nextAt - now)
        timers.push(timer)
        waits.push(timer.promise)
      }
      if (forever) {
        waits.push(new Promise<void>((resolve) => (this.wake = resolve)))
        const idle = realTimer(IDLE_RECHECK_MS)
        timers.push(idle)
        waits.push(idle.promise)
      }
      await Promise.race(waits)
      for (const timer of timers) timer.cancel()
      this.wake = undefined
    }
  }

  /** Start a send on every idle target with something due; return when the next thing becomes due. */
  private pump(now: number): number | undefined {
    let nextAt: number | undefined
    const later = (t: number) => {
      nextAt = nextAt === undefined ? t : Math.min(nextAt, t)
    }
    for (const [target, items] of this.byTarget()) {
      if (this.inFlight.has(target)) continue
      const ready = this.ready(items)
      const dueAt = (item: OutboxItem) =>
        Math.max(item.nextAttemptAt, item.followUp ? 0 : this.holdUntil(stormKey(target, item), now))
      const due = ready.filter((item) => dueAt(item) <= now)
      if (due.length === 0) {
        for (const item of ready) later(dueAt(item))
        continue
      }
      const paceAt = this.pacer.readyAt(target)
      if (paceAt > now) {
        later(paceAt)
        continue
      }
      const unit = chooseUnit(due, target, {
        rollupAbove: this.opts.delivery.rollupAbove,
        inStorm: (key) => this.inStorm(key, now),
      })
      if (!unit) continue
      const key = stormKey(target, unit.items[0]!)
      if (unit.rollup) this.storms.set(key, now + this.opts.delivery.rollupWindow)
      else if (!unit.items[0]!.followUp) this.storms.delete(key)
      this.pacer.started(target, now)
      const task = this.deliver(target, unit)
        .catch((error) => this.opts.logger.error({ target, err: errorMessage(error) }, 'delivery failed'))
        .finally(() => this.inFlight.delete(target))
      this.inFlight.set(target, task)
    }
    return nextAt
  }

  private holdUntil(key: string, now: number): number {
    return this.inStorm(key, now) ? (this.storms.get(key) ?? 0) : 0
  }

  /** A storm lasts until its hold ends, plus one window of grace for the held items to be picked up. */
  private inStorm(key: string, now: number): boolean {
    const until = this.storms.get(key)
    if (until === undefined) return false
    if (now < until + this.opts.delivery.rollupWindow) return true
    this.storms.delete(key)
    return false
  }

  private byTarget(): Map<string, OutboxItem[]> {
    const groups = new Map<string, OutboxItem[]>()
    for (const item of this.opts.state.current().outbox) {
      const list = groups.get(item.target)
      if (list) list.push(item)
      else groups.set(item.target, [item])
    }
    return groups
  }

  /** Items that may go now or later: not awaiting their outcome, and no resolve ahead of its fire. */
  private ready(items: OutboxItem[]): OutboxItem[] {
    const openFires = new Set<string>()
    const ready: OutboxItem[] = []
    for (const item of items) {
      const incident = incidentKey(item.decision.rule, item.decision.group as Group)
      if (item.decision.kind === 'fire') openFires.add(incident)
      if (this.recorder.isUnrecorded(item.id)) continue
      if (item.decision.kind === 'resolve' && openFires.has(incident)) continue
      ready.push(item)
    }
    return ready.sort((a, b) => a.createdAt - b.createdAt)
  }

  private async deliver(target: string, unit: SendUnit): Promise<void> {
    const { clock, delivery } = this.opts
    const first = unit.items[0]!
    let outcome: Outcome
    let kind: ChannelKind | undefined
    let signal: AbortSignal | undefined
    try {
      const action = sendableAction(first, this.opts.resolveAction)
      if (!action) {
        throw new DeliveryError(
          `the action ${first.actionRef} can no longer be resolved (its secret fields are not stored)`,
          {
            retryable: false,
          },
        )
      }
      kind = channelKind(action)
      const notifier = this.opts.notifiers[kind]
      if (!notifier) throw new DeliveryError(missingChannelReason(kind), { retryable: false })
      const message = await alertMessageFor(unit, action, {
        state: this.opts.state.current(),
        target,
        timezone: this.opts.timezone,
        ruleInfo: this.opts.ruleInfo,
        deviceName: this.opts.deviceName,
        ...(this.opts.interactive ? { interactive: this.opts.interactive } : {}),
      })
      // The last moment before the send goes out: a replica resumed after a freeze past its lease stops here.
      // What stays possible is a send already on the wire when the process froze (see src/daemon/ha/).
      if (this.opts.leadership && !this.opts.leadership.mayAct()) {
        this.#notLeader = true // no more sends from this worker: its term is ending
        this.wake?.()
        return
      }
      signal = sendSignal(kind, this.stopSignal)
      const receipt = await notifier.send(message, signal)
      outcome = { type: 'sent', items: unit.items, receipt, at: clock.now(), rollup: unit.rollup }
    } catch (error) {
      // Cancelled by stop() or by the loss of the lease: not a failure. Nothing is recorded, so the items stay
      // queued as they were (the next leader sends them).
      if (this.stopSignal.aborted) return
      const failure = toDeliveryError(error, signal?.aborted ? kind : undefined)
      const now = clock.now()
      if (failure.retryAfterMs !== undefined) this.pacer.hold(target, now + failure.retryAfterMs)
      outcome = failureOutcome(failure, unit.items, now, delivery, this.opts.random)
    }
    this.report(target, unit, outcome)
    await this.recorder.record(outcome)
  }

  private report(target: string, unit: SendUnit, outcome: Outcome): void {
    logOutcome(this.opts.logger, target, unit, outcome)
    const error =
      outcome.type === 'retry' ? outcome.error : outcome.type === 'dead' ? outcome.reason : undefined
    for (const item of unit.items) this.opts.onOutcome?.(outcome.type, item, error)
  }
}
