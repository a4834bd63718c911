import type { OutboxItem } from '../state/state-schema.js'

/**
 * Storm rollup. Decision: at a send turn for one target, the due items of the same rule and kind (fires and
 * resolves are never mixed) are sent as ONE digest message when there are more than `rollupAbove` of them,
 * or when that rule/target is already in storm mode (a rollup was sent less than `rollupWindow` ago) and at
 * least two are waiting. In storm mode new items of that rule/target/kind are held until the window ends,
 * then rolled up together; a window that collects a single item sends it normally and ends the storm.
 * One digest lists at most MAX_ROLLUP items (every event_id); a larger storm sends several digests.
 */
export const MAX_ROLLUP = 100

export function stormKey(target: string, item: OutboxItem): string {
  return `${target}\n${item.decision.rule}\n${item.decision.kind}`
}

export interface SendUnit {
  items: OutboxItem[]
  rollup: boolean
}

/** Choose what to send next from the target's due items (in queue order). */
export function chooseUnit(
  due: readonly OutboxItem[],
  target: string,
  options: { rollupAbove: number; inStorm: (key: string) => boolean },
): SendUnit | undefined {
  const first = due[0]
  if (!first) return undefined
  // A follow-up (message edit, acknowledgement) is never rolled up, nor rolled into an alert's rollup.
  if (first.followUp) return { items: [first], rollup: false }
  const key = stormKey(target, first)
  const same = due.filter((item) => !item.followUp && stormKey(target, item) === key)
  if (same.length > options.rollupAbove || (options.inStorm(key) && same.length >= 2)) {
    return { items: same.slice(0, MAX_ROLLUP), rollup: true }
  }
  return { items: [first], rollup: false }
}
