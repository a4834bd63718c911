import { errorMessage } from '../errors.js'
import type { Logger } from '../log.js'
import type { StateAccess } from '../state/store.js'
import { applyOutcomes, type Outcome } from './outcomes.js'

/**
 * Persists delivery outcomes through StateAccess.update in batches: outcomes that arrive while a write runs go
 * into the next one. Until its outcome is durable an item is "unrecorded" and must not be picked again.
 */
export class OutcomeRecorder {
  private readonly unrecorded = new Set<string>()
  private pending: Outcome[] = []
  private chain: Promise<void> = Promise.resolve()
  private queued: Promise<void> | undefined

  constructor(
    private readonly state: StateAccess,
    private readonly logger: Logger,
  ) {}

  isUnrecorded(id: string): boolean {
    return this.unrecorded.has(id)
  }

  /** Queue an outcome; resolves once a write including it finished (or failed and was logged). */
  record(outcome: Outcome): Promise<void> {
    for (const item of outcome.items) this.unrecorded.add(item.id)
    this.pending.push(outcome)
    return this.flush()
  }

  flush(): Promise<void> {
    if (this.queued) return this.queued
    const run = this.chain.then(async () => {
      this.queued = undefined
      const batch = this.pending.splice(0)
      if (batch.length === 0) return
      try {
        await this.state.update((draft) => applyOutcomes(draft, batch))
        for (const outcome of batch) for (const item of outcome.items) this.unrecorded.delete(item.id)
      } catch (error) {
        // Keep them: the items stay out of rotation in this process and are written with the next batch.
        // After a crash they are still in the outbox and are sent again (the one allowed duplicate).
        this.pending.unshift(...batch)
        this.logger.error({ err: errorMessage(error) }, 'could not record delivery outcomes; will retry')
      }
    })
    this.queued = run
    this.chain = run
    return run
  }
}
