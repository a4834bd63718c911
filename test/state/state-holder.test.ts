import { describe, expect, it } from 'vitest'
import { ownMap } from '../../src/frozen.js'
import { silentLogger } from '../../src/log.js'
import { MemoryStore } from '../../src/state/memory-store.js'
import { StateHolder } from '../../src/state/state-holder.js'
import { emptyState, type State } from '../../src/state/state-schema.js'
import type { Store } from '../../src/state/store.js'

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

  describe('drafts: own small maps and lists; records and big maps shared with the current state, frozen there', () => {
    const touch = (draft: State, n: number) => {
      draft.updatedAt = n
      ownMap(draft, 'devices')[`d${n}`] = { name: `device ${n}`, fetchedAt: n }
      const windows = ownMap(draft.rules.windows, 'r')
      windows['{}'] = [...(windows['{}'] ?? []), { event_id: `e${n}`, at: n }]
    }

    it('a draft cannot change the current state: records are replaced, and changing one in place throws', async () => {
      const store = new MemoryStore()
      const holder = await open(store)
      for (let n = 1; n <= 3; n++) await holder.update((draft) => touch(draft, n))
      const before = JSON.stringify(holder.current())
      const current = holder.current()
      expect(Object.isFrozen(current.devices.d1)).toBe(true)
      expect(Object.isFrozen(current.rules.windows.r!['{}']![0])).toBe(true)
      await holder.update((draft) => {
        expect(draft).toEqual(current)
        expect(draft.rules.windows).not.toBe(current.rules.windows) // small maps: the draft's own
        expect(draft.rules.windows.r).toBe(current.rules.windows.r) // big maps and records: shared, frozen
        expect(draft.devices).toBe(current.devices)
        expect(() => draft.rules.windows.r!['{}']!.push({ event_id: 'x', at: 9 })).toThrow(TypeError)
        expect(() => {
          draft.devices.d1!.name = 'renamed'
        }).toThrow(TypeError)
        expect(() => {
          draft.devices.d9 = { name: 'added in place', fetchedAt: 9 }
        }).toThrow(TypeError)
        const windows = ownMap(draft.rules.windows, 'r')
        windows['{}'] = [...windows['{}']!, { event_id: 'x', at: 9 }]
        const devices = ownMap(draft, 'devices')
        devices.d1 = { ...devices.d1!, name: 'renamed' }
        delete devices.d2
        expect(JSON.stringify(current)).toBe(before)
      })
      expect(JSON.stringify(current)).toBe(before)
      expect(holder.current().devices.d1?.name).toBe('renamed')
      expect(holder.current().devices.d2).toBeUndefined()
      expect(holder.current().rules.windows.r?.['{}']).toHaveLength(4)
      expect(store.saved()).toEqual(JSON.parse(JSON.stringify(holder.current())))
    })

    it('a loaded state is frozen before the first draft shares it', async () => {
      const saved = emptyState()
      saved.devices.d = { name: 'door', fetchedAt: 1 }
      const holder = await open(new MemoryStore(saved))
      await expect(
        holder.update((draft) => {
          draft.devices.d!.name = 'changed in place'
        }),
      ).rejects.toThrow(TypeError)
      expect(holder.current().devices.d?.name).toBe('door')
    })

    it('after a failed save the next draft starts from the last durable state, not the failed draft', async () => {
      const store = new MemoryStore()
      const holder = await open(store)
      await holder.update((draft) => touch(draft, 1))
      const durable = JSON.stringify(holder.current())
      store.failWith = 'ENOSPC'
      await expect(holder.update((draft) => touch(draft, 2))).rejects.toMatchObject({
        code: 'STATE_WRITE_FAILED',
      })
      await expect(
        holder.update((draft) => {
          touch(draft, 3)
          throw new Error('boom')
        }),
      ).rejects.toThrow('boom')
      store.failWith = undefined
      await holder.update((draft) => {
        expect(JSON.stringify(draft)).toBe(durable)
        touch(draft, 4)
      })
      expect(Object.keys(holder.current().devices)).toEqual(['d1', 'd4'])
      expect(store.saved()).toEqual(JSON.parse(JSON.stringify(holder.current())))
    })

    it('works the same with a store that serializes for itself (ignores the JSON passed to save)', async () => {
      const memory = new MemoryStore()
      const store: Store = {
        load: () => memory.load(),
        save: (state) => memory.save(state),
        close: () => memory.close(),
      }
      const holder = await StateHolder.open(store, { initial: emptyState, logger: silentLogger })
      for (let n = 1; n <= 2; n++) await holder.update((draft) => touch(draft, n))
      const current = holder.current()
      await holder.update((draft) => {
        ownMap(draft, 'devices').d1 = { ...draft.devices.d1!, name: 'renamed' }
      })
      expect(current.devices.d1?.name).toBe('device 1')
      expect(memory.saved()?.devices.d1?.name).toBe('renamed')
    })
  })
})
