import { mkdtemp, readFile, stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { JsonFileStore } from '../../src/state/json-file-store.js'
import { ownerFileFor } from '../../src/state/lock.js'
import { runToExit, spawnFixture, waitForLine } from './fixtures/child.js'

const tempFile = async () =>
  path.join(await mkdtemp(path.join(os.tmpdir(), 'seam-state-lock-')), 'state.json')

describe('one daemon per state file', () => {
  it('refuses a second process while the first holds the lock, naming its pid', async () => {
    const file = await tempFile()
    const first = spawnFixture('hold-lock.ts', [file])
    await waitForLine(first, /^locked/)
    const second = await runToExit(spawnFixture('hold-lock.ts', [file]))
    expect(second.code).toBe(3)
    expect(second.stderr).toContain('STATE_LOCKED')
    expect(second.stderr).toContain(`pid ${first.pid}`)
    expect(second.stderr).toContain(file)

    // In this process too.
    const error = await JsonFileStore.open(file).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'STATE_LOCKED' })
    expect((error as Error).message).toContain(`pid ${first.pid}`)

    // Released on close: the next one gets it.
    const closed = runToExit(first)
    first.stdin?.end()
    expect((await closed).code).toBe(0)
    const store = await JsonFileStore.open(file)
    const owner = JSON.parse(await readFile(ownerFileFor(file), 'utf8'))
    expect(owner).toMatchObject({ pid: process.pid, host: os.hostname() })
    expect((await stat(ownerFileFor(file))).mode & 0o777).toBe(0o600)
    await store.close()
    await expect(stat(ownerFileFor(file))).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('takes over the lock of a holder killed with SIGKILL', async () => {
    const file = await tempFile()
    const first = spawnFixture('hold-lock.ts', [file])
    await waitForLine(first, /^locked/)
    const exited = new Promise((resolve) => first.once('exit', resolve))
    first.kill('SIGKILL')
    await exited
    const second = spawnFixture('hold-lock.ts', [file])
    expect(await waitForLine(second, /^locked/)).toBe(`locked ${second.pid}`)
    const done = runToExit(second)
    second.stdin?.end()
    expect((await done).code).toBe(0)
  })

  it('a second store in the same process is refused too', async () => {
    const file = await tempFile()
    const store = await JsonFileStore.open(file)
    await expect(JsonFileStore.open(file)).rejects.toMatchObject({ code: 'STATE_LOCKED' })
    await store.close()
    const again = await JsonFileStore.open(file)
    await again.close()
  })
})
