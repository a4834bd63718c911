import { mkdtemp, readFile, rename, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { JsonFileStore } from '../../src/state/json-file-store.js'
import { lockDirFor, lockStatus, ownerFileFor } from '../../src/state/lock.js'
import { runToExit, spawnFixture, waitForLine } from './fixtures/child.js'
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

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
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

  it('while its directory is gone (unmounted) the file system error is reported; once back, it is taken back', async () => {
    const { file, store, lost } = await setup()
    await store.save(generation(1))
    const dir = path.dirname(file)
    await rename(dir, `${dir}-away`)
    expect((await lost).message).toMatch(/ENOENT/)
    await expect(store.retakeLock()).rejects.toMatchObject({
      code: 'STATE_WRITE_FAILED',
      message: expect.stringContaining(`its directory ${dir} does not exist`),
    })
    // Back: its own old lock directory is there, fresh; it is taken back once stale (2 s here, 10 s by default).
    await rename(`${dir}-away`, dir)
    const error = await store.retakeLock().catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'STATE_LOCKED' })
    expect((error as Error).message).toContain(
      "is still locked by this process's own lock from before it was lost",
    )
    await until(() => store.retakeLock().catch(() => false), 10_000)
    await store.save(generation(2))
    expect(JSON.parse(await readFile(file, 'utf8')).updatedAt).toBe(2)
  })

  it('is not taken back while another process holds it (STATE_LOCKED), and that lock is left alone', async () => {
    const { file, store, lost } = await setup()
    await rm(lockDirFor(file), { recursive: true })
    await lost
    const holder = spawnFixture('hold-lock.ts', [file])
    await waitForLine(holder, /^locked/)
    const error = await store.retakeLock().catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'STATE_LOCKED' })
    expect((error as Error).message).toContain(`another seam-alerts process (pid ${holder.pid}`)
    await store.close()
    // Closing the store that lost its lock removed neither the other holder's lock nor its owner file.
    expect(await ownerPid(file)).toBe(holder.pid)
    expect(await lockStatus(file)).toMatchObject({ locked: true, owner: { pid: holder.pid } })
    const done = runToExit(holder)
    holder.stdin?.end()
    expect((await done).code).toBe(0)
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
