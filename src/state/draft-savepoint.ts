import { copyMap, deepFreeze } from '../frozen.js'
import { type RuleSavepoint, restoreSavepoint, takeSavepoint } from '../rules/rule-savepoint.js'
import type { State } from './state-schema.js'

/**
 * What a poll cycle writes to a draft, as it was at one moment: the rule state, the outbox and the digests (see
 * rules/rule-savepoint.ts for how going back works without a deep copy). For undoing one event's effects.
 */
export interface DraftSavepoint {
  rules: RuleSavepoint
  recorded: RecordSavepoint
}

/** The parts recording decisions writes to: the outbox (appended to) and the digests (a map of shared maps). */
export interface RecordSavepoint {
  outbox: State['outbox']
  digests: State['digests']
}

export function takeRecordSavepoint(draft: State): RecordSavepoint {
  for (const ruleId of Object.keys(draft.digests)) deepFreeze(draft.digests[ruleId])
  return { outbox: draft.outbox.slice(), digests: copyMap(draft.digests) }
}

export function restoreRecordSavepoint(draft: State, savepoint: RecordSavepoint): void {
  draft.outbox = savepoint.outbox.slice()
  draft.digests = copyMap(savepoint.digests)
}

export function takeDraftSavepoint(draft: State): DraftSavepoint {
  return { rules: takeSavepoint(draft.rules), recorded: takeRecordSavepoint(draft) }
}

export function restoreDraftSavepoint(draft: State, savepoint: DraftSavepoint): void {
  draft.rules = restoreSavepoint(savepoint.rules)
  restoreRecordSavepoint(draft, savepoint.recorded)
}
