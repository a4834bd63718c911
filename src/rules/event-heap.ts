import type { SeamEvent } from '../source/event.js'

interface Entry {
  createdAt: number
  id: string
  event: SeamEvent
}

const before = (a: Entry, b: Entry): boolean =>
  a.createdAt < b.createdAt || (a.createdAt === b.createdAt && a.id < b.id)

/** A binary min-heap of events in (created_at, event_id) order: the bounded reorder buffer of `replay`. */
export class EventHeap {
  private readonly items: Entry[] = []

  get size(): number {
    return this.items.length
  }

  push(event: SeamEvent): void {
    const items = this.items
    const entry: Entry = { createdAt: Date.parse(event.created_at), id: event.event_id, event }
    let index = items.push(entry) - 1
    while (index > 0) {
      const parent = (index - 1) >> 1
      if (!before(entry, items[parent]!)) break
      items[index] = items[parent]!
      index = parent
    }
    items[index] = entry
  }

  pop(): SeamEvent | undefined {
    const items = this.items
    const top = items[0]
    const last = items.pop()
    if (!top || !last || items.length === 0) return top?.event
    let index = 0
    const size = items.length
    for (;;) {
      const left = 2 * index + 1
      if (left >= size) break
      const right = left + 1
      const child = right < size && before(items[right]!, items[left]!) ? right : left
      if (!before(items[child]!, last)) break
      items[index] = items[child]!
      index = child
    }
    items[index] = last
    return top.event
  }
}
