import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { silentLogger } from '../../src/log.js'
import type { FsLike } from '../../src/state/fs-like.js'
import { nodeFsLike } from '../../src/state/fs-like.js'
import { JsonFileStore } from '../../src/state/json-file-store.js'
import { StateHolder } from '../../src/state/state-holder.js'
import { generation } from './fixtures/generation.js'

type Step = 'writeFile' | 'fsync' | 'rename' | 'rename-bak' | 'link'

/** The real fs, except that `step` throws `code` while `failing.on` is set. */
function faultyFs(step: Step, code: string, failing: { on: boolean }): FsLike {
  const fault = () => Object.assign(new Error(`${code}: injected`), { code })
  return {
    ...nodeFsLike,
    async open(file, flags, mode) {
      const handle = await nodeFsLike.open(file, flags, mode)
      return {
        writeFile: async (data) => {
          if (failing.on && step === 'writeFile') throw fault()
          await handle.writeFile(data)
        },
        sync: async () => {
          if (failing.on && step === 'fsync') throw fault()
          await handle.sync()
        },
        close: () => handle.close(),
      }
    },
    async rename(from, to) {
      const toBak = to.endsWith('.bak')
      if (failing.on && ((step === 'rename' && !toBak) || (step === 'rename-bak' && toBak))) throw fault()
      await nodeFsLike.rename(from, to)
    },
    async link(existing, newPath) {
      if (failing.on && step === 'link') throw fault()
      await nodeFsLike.link(existing, newPath)
    },
  }
}

async function setup(step: Step, code: string) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'seam-state-enospc-'))
  const file = path.join(dir, 'state.json')
  const failing = { on: false }
  const store = await JsonFileStore.open(file, { fs: faultyFs(step, code, failing) })
  return { dir, file, failing, store }
}

const cases: [Step, string][] = [
  ['writeFile', 'ENOSPC'],
  ['fsync', 'ENOSPC'],
  ['rename', 'ENOSPC'],
  ['rename', 'EACCES'],
  ['rename-bak', 'ENOSPC'],
]

describe('disk full / permission denied while writing', () => {
  for (const [step, code] of cases) {
    it(`${code} at ${step}: STATE_WRITE_FAILED, old file and .bak intact, no temp files`, async () => {
      const { dir, file, failing, store } = await setup(step, code)
      await store.save(generation(1))
      await store.save(generation(2))
      const before = await fs.readFile(file, 'utf8')
      const bakBefore = await fs.readFile(`${file}.bak`, 'utf8')
      failing.on = true
      const error = (await store.save(generation(3)).catch((e: unknown) => e)) as Error & { code: string }
      expect(error.code).toBe('STATE_WRITE_FAILED')
      expect(error.message).toContain(file)
      expect(error.message).toContain(code)
      expect(await fs.readFile(file, 'utf8')).toBe(before)
      // .bak is always a whole generation: the one before, or (failing at the last rename) the current one.
      expect([bakBefore, before]).toContain(await fs.readFile(`${file}.bak`, 'utf8'))
      if (step !== 'rename') expect(await fs.readFile(`${file}.bak`, 'utf8')).toBe(bakBefore)
      expect((await fs.readdir(dir)).filter((name) => name.includes('tmp'))).toEqual([])
      // Once the disk has room again, the next write goes through.
      failing.on = false
      await store.save(generation(3))
      expect((await store.load())?.updatedAt).toBe(3)
      await store.close()
    })
  }

  it('falls back to copying when hard links are not supported', async () => {
    const { file, failing, store } = await setup('link', 'EPERM')
    failing.on = true
    await store.save(generation(1))
    await store.save(generation(2))
    expect(JSON.parse(await fs.readFile(`${file}.bak`, 'utf8')).updatedAt).toBe(1)
    expect((await fs.stat(`${file}.bak`)).mode & 0o777).toBe(0o600)
    await store.close()
  })

  it('StateHolder keeps the last good state, rejects the update, and writes again on the next one', async () => {
    const { file, failing, store } = await setup('writeFile', 'ENOSPC')
    const errors: unknown[] = []
    const holder = await StateHolder.open(store, {
      initial: () => generation(1),
      logger: silentLogger,
      onWriteError: (error) => errors.push(error),
    })
    await holder.update((draft) => {
      draft.source.cursor = '2026-01-01T00:00:10.000Z'
    })
    failing.on = true
    await expect(
      holder.update((draft) => {
        draft.source.cursor = '2026-01-01T00:00:20.000Z'
      }),
    ).rejects.toMatchObject({ code: 'STATE_WRITE_FAILED' })
    expect(holder.current().source.cursor).toBe('2026-01-01T00:00:10.000Z')
    expect(holder.writeFailing).toBe(true)
    expect(errors).toHaveLength(1)
    failing.on = false
    await holder.update((draft) => {
      draft.source.cursor = '2026-01-01T00:00:20.000Z'
    })
    expect(holder.current().source.cursor).toBe('2026-01-01T00:00:20.000Z')
    expect(JSON.parse(await fs.readFile(file, 'utf8')).source.cursor).toBe('2026-01-01T00:00:20.000Z')
    await holder.close()
  })
})
