import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { JsonFileStore } from '../../src/state/json-file-store.js'
import { lockDirFor, ownerFileFor } from '../../src/state/lock.js'
import { generation } from './fixtures/generation.js'

const open: JsonFileStore[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((store) => store.close()))
})

/** A locked store refreshed every second (staleMs 2000, the minimum), so a lost lock shows within ~1 s. */
async function setup() {
  const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'seam-state-lost-')), 'state.json')
  const store = await JsonFileStore.open(file, { staleMs: 2000 })
  open.push(store)
  const lost = new Promise<Error>((resolve) => store.onLockLost(resolve))
  return { file, store, lost }
}

const ownerPid = async (file: string) => JSON.parse(await readFile(ownerFileFor(file), 'utf8')).pid

describe('a lost state lock', () => {
  it('is noticed, refuses writes, and is taken back when no one else holds it and the file is unchanged', async () => {
    const { file, store, lost } = await setup()
    await store.save(generation(1))
    await rm(lockDirFor(file), { recursive: true })
    expect((await lost).message).toMatch(/ENOENT/)
    expect(store.lockLost).toBeDefined()
    await expect(store.save(generation(2))).rejects.toMatchObject({
      code: 'STATE_WRITE_FAILED',
      message: expect.stringContaining('the lock was lost'),
    })

    expect(await store.retakeLock()).toBe(true)
    expect(store.lockLost).toBeUndefined()
    await store.save(generation(2))
    expect(JSON.parse(await readFile(file, 'utf8')).updatedAt).toBe(2)
    expect(await ownerPid(file)).toBe(process.pid)

    // The new lock is watched too.
    const lostAgain = new Promise<Error>((resolve) => store.onLockLost(resolve))
    await rm(lockDirFor(file), { recursive: true })
    await lostAgain
    expect(await store.retakeLock()).toBe(true)
  })

  it('is not taken back while another process holds it (STATE_LOCKED), and that lock is left alone', async () => {
    const { file, store, lost } = await setup()
    await rm(lockDirFor(file), { recursive: true })
    const thief = await JsonFileStore.open(file, { staleMs: 2000 })
    open.push(thief)
    await lost
    await expect(store.retakeLock()).rejects.toMatchObject({ code: 'STATE_LOCKED' })
    await store.close()
    // Closing the store that lost its lock removed neither the other holder's lock nor its owner file.
    await thief.save(generation(1))
    expect(await ownerPid(file)).toBe(process.pid)
    await expect(JsonFileStore.open(file)).rejects.toMatchObject({ code: 'STATE_LOCKED' })
  })

  it('is given up (STATE_LOCK_LOST) when another process wrote the file meanwhile', async () => {
    const { file, store, lost } = await setup()
    await store.save(generation(1))
    await rm(lockDirFor(file), { recursive: true })
    await lost
    const other = await JsonFileStore.open(file, { staleMs: 2000 })
    await other.save(generation(5))
    await other.close()
    const error = await store.retakeLock().catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'STATE_LOCK_LOST' })
    expect((error as Error).message).toContain(`State file ${file} was written by another process`)
    // It gave the fresh lock back: the next opener gets it, and finds the other process's generation.
    const next = await JsonFileStore.open(file)
    open.push(next)
    expect((await next.load())?.updatedAt).toBe(5)
  })
})
