import { describe, expect, it } from 'vitest'
import { silentLogger } from '../../src/log.js'
import { MemoryStore } from '../../src/state/memory-store.js'
import { StateHolder } from '../../src/state/state-holder.js'
import { emptyState, type State } from '../../src/state/state-schema.js'

const open = (store: MemoryStore, onWrite?: (ms: number, bytes: number) => void) =>
  StateHolder.open(store, { initial: emptyState, logger: silentLogger, ...(onWrite ? { onWrite } : {}) })

describe('StateHolder', () => {
  it('starts from the stored state, or from initial() when there is none', async () => {
    const saved = emptyState()
    saved.source.cursor = '2026-01-01T00:00:00.000Z'
    expect((await open(new MemoryStore(saved))).current().source.cursor).toBe('2026-01-01T00:00:00.000Z')
    expect((await open(new MemoryStore())).current().source.cursor).toBeNull()
  })

  it('runs concurrent updates one at a time, in call order, each on the result of the previous', async () => {
    const store = new MemoryStore()
    const holder = await open(store)
    const order: number[] = []
    const updates = Array.from({ length: 20 }, (_, i) =>
      holder.update(async (draft) => {
        order.push(i)
        const before = draft.updatedAt
        await new Promise((resolve) => setTimeout(resolve, (i * 7) % 5))
        draft.updatedAt = before + 1
        return before
      }),
    )
    expect(await Promise.all(updates)).toEqual(Array.from({ length: 20 }, (_, i) => i))
    expect(order).toEqual(Array.from({ length: 20 }, (_, i) => i))
    expect(holder.current().updatedAt).toBe(20)
    expect(store.saved()?.updatedAt).toBe(20)
    expect(store.saves).toBe(20)
  })

  it('works on a copy: the current state is untouched until the save succeeded', async () => {
    const store = new MemoryStore()
    const holder = await open(store)
    const before = holder.current()
    store.failWith = 'ENOSPC'
    await expect(
      holder.update((draft: State) => {
        draft.outbox.push({
          id: 'x',
          decision: {
            rule: 'r',
            kind: 'fire',
            group: {},
            event_id: 'e',
            at: '',
            count: 1,
            suppressed: 0,
            event: {},
          },
          action: {},
          actionRef: 'rule:r#0',
          target: 't',
          createdAt: 0,
          attempts: 0,
          nextAttemptAt: 0,
        })
      }),
    ).rejects.toMatchObject({ code: 'STATE_WRITE_FAILED' })
    expect(holder.current()).toBe(before)
    expect(holder.current().outbox).toEqual([])
    // A throwing mutation is rejected the same way, and later updates still run.
    await expect(
      holder.update(() => {
        throw new Error('boom')
      }),
    ).rejects.toThrow('boom')
    store.failWith = undefined
    await holder.update((draft) => {
      draft.updatedAt = 5
    })
    expect(holder.current().updatedAt).toBe(5)
    expect(before.updatedAt).toBe(0)
  })

  it('reports each write to onWrite, flushes, and refuses updates after close', async () => {
    const writes: [number, number][] = []
    const store = new MemoryStore()
    const holder = await open(store, (ms, bytes) => writes.push([ms, bytes]))
    const pending = holder.update((draft) => {
      draft.updatedAt = 1
    })
    await holder.flush()
    await pending
    expect(writes).toHaveLength(1)
    expect(writes[0]![1]).toBe(store.lastSaveBytes)
    await holder.close()
    expect(store.closed).toBe(true)
    await expect(holder.update(() => {})).rejects.toMatchObject({ code: 'STATE_WRITE_FAILED' })
  })
})
