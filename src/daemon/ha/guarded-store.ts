import { SeamAlertsError } from '../../errors.js'
import type { State } from '../../state/state-schema.js'
import type { Store } from '../../state/store.js'
import type { LeaderGuard } from './guard.js'

/**
 * A leader term's store: every save is refused (STATE_FENCED) unless the lease is valid on this process's
 * monotonic clock at that very moment. The store itself then checks the lease row in the write's transaction
 * (holder and epoch, `FOR SHARE`), which closes the gap between this check and the commit: between them, a
 * replica resumed after a freeze can neither queue nor record an alert once another one leads.
 */
export function guardedStore(inner: Store, guard: LeaderGuard): Store {
  return {
    load: () => inner.load(),
    save: (state: State, json?: Buffer) => {
      if (!guard.mayAct()) {
        return Promise.reject(
          new SeamAlertsError(
            'STATE_FENCED',
            'state not saved: this replica no longer holds a valid leader lease',
          ),
        )
      }
      return inner.save(state, json)
    },
    get lastSaveBytes() {
      return inner.lastSaveBytes
    },
    close: () => inner.close(),
  }
}
