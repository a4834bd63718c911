import { mkdtemp, readdir, stat, truncate, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Writable } from 'node:stream'
import { Command } from 'commander'
import { describe, expect, it } from 'vitest'
import { register } from '../../src/cli/commands/state.js'
import { DEFAULT_STATE_FILE_MAX } from '../../src/limits.js'
import { createLogger } from '../../src/log.js'
import { type FsLike, nodeFsLike } from '../../src/state/fs-like.js'
import { JsonFileStore } from '../../src/state/json-file-store.js'
import { readStateFile } from '../../src/state/state-file.js'
import { generation } from './fixtures/generation.js'

const MiB = 1024 ** 2
const GiB = 1024 ** 3

async function setup() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'seam-state-size-'))
  const file = path.join(dir, 'state.json')
  let out = ''
  const run = async (...args: string[]) => {
    out = ''
    const program = new Command().exitOverride()
    register(program, {
      stdout: { write: (text: string) => (out += text) },
      now: () => Date.UTC(2026, 0, 1),
      cwd: () => dir,
      env: {},
    })
    await program.parseAsync(['node', 'seam-alerts', ...args])
    return out
  }
  return { dir, file, run }
}

/** A sparse file of `bytes` (no blocks written: cheap however big). */
async function sparse(file: string, bytes: number): Promise<void> {
  await writeFile(file, '')
  await truncate(file, bytes)
}

/** The real file system, noting every file it is asked to read whole. */
function readsNoted(): { fs: FsLike; reads: string[] } {
  const reads: string[] = []
  return {
    reads,
    fs: {
      ...nodeFsLike,
      readFile: (file) => {
        reads.push(file)
        return nodeFsLike.readFile(file)
      },
    },
  }
}

const errorOf = async (promise: Promise<unknown>) => (await promise.catch((e: unknown) => e)) as Error

describe('limits.stateFileMax: an oversized state file is refused before it is read', () => {
  it('a 300 MiB file (over the 256 MiB default): STATE_TOO_LARGE naming file, size, limit and the ways out; nothing read', async () => {
    const { file } = await setup()
    await sparse(file, 300 * MiB)
    const { fs, reads } = readsNoted()
    const store = await JsonFileStore.open(file, { fs })
    const error = await errorOf(store.load())
    await store.close()
    expect(error).toMatchObject({ code: 'STATE_TOO_LARGE' })
    expect(error.message).toContain(`State file ${file} is 300 MiB (${300 * MiB} bytes)`)
    expect(error.message).toContain('over limits.stateFileMax (256 MiB)')
    expect(error.message).toMatch(
      /raise "limits.stateFileMax"[\s\S]*state restore[\s\S]*state reset --from now/,
    )
    expect(reads).toEqual([])
  })

  it('a 2 GiB file is refused for its size, never blamed on permissions', async () => {
    const { file } = await setup()
    await sparse(file, 2 * GiB)
    const error = await errorOf(readStateFile(file))
    expect(error).toMatchObject({ code: 'STATE_TOO_LARGE' })
    expect(error.message).toContain('is 2 GiB')
    expect(error.message).not.toMatch(/permission|can read and write/)
  })

  it('a limit from the caller applies; at or under it the file is read as usual', async () => {
    const { file } = await setup()
    const store = await JsonFileStore.open(file)
    await store.save(generation(1))
    await store.close()
    const size = (await stat(file)).size
    expect((await readStateFile(file, undefined, undefined, size))?.updatedAt).toBe(1)
    const small = await JsonFileStore.open(file, { maxBytes: size - 1 })
    await expect(small.load()).rejects.toMatchObject({ code: 'STATE_TOO_LARGE' })
    await small.close()
    expect(DEFAULT_STATE_FILE_MAX).toBe(256 * MiB)
  })

  it('a directory where the state file should be: a clear error, not a permission hint', async () => {
    const { dir } = await setup()
    const error = await errorOf(readStateFile(dir))
    expect(error).toMatchObject({ code: 'STATE_CORRUPT' })
    expect(error.message).toContain(`State file ${dir} is not a regular file`)
  })

  it('the state commands honour limits.stateFileMax from the config; reset moves an oversized file aside', async () => {
    const { dir, file, run } = await setup()
    const store = await JsonFileStore.open(file)
    await store.save(generation(1))
    await store.save(generation(2))
    await store.close()
    await writeFile(
      path.join(dir, 'config.json'),
      JSON.stringify({ state: './state.json', limits: { stateFileMax: '1KB' } }),
    )
    // ./config.json is found on its own, and --state alongside it still takes its limits.
    for (const args of [
      ['state', 'show'],
      ['state', 'show', '--state', file],
      ['state', 'dead-letters'],
    ]) {
      const error = await errorOf(run(...args))
      expect(error).toMatchObject({ code: 'STATE_TOO_LARGE' })
      expect(error.message).toContain('over limits.stateFileMax (1 KiB)')
    }
    await expect(run('state', 'restore')).rejects.toMatchObject({ code: 'STATE_TOO_LARGE' })
    await writeFile(path.join(dir, 'config.json'), JSON.stringify({ state: './state.json' }))
    expect(await run('state', 'show')).toContain(`State file    ${file}`)

    await sparse(file, 300 * MiB)
    await expect(run('state', 'show')).rejects.toMatchObject({ code: 'STATE_TOO_LARGE' })
    expect(await run('state', 'reset', '--from', 'now')).toMatch(/moved to .*state\.json\.damaged-/)
    const aside = (await readdir(dir)).find((name) => name.startsWith('state.json.damaged-'))!
    expect((await stat(path.join(dir, aside))).size).toBe(300 * MiB)
    expect(await run('state', 'show')).toContain('Cursor')
  })

  it('a save that grows the file past the limit logs one error saying the next start will refuse it', async () => {
    const { file } = await setup()
    const lines: Array<{ level: number; msg: string }> = []
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString('utf8')))
        done()
      },
    })
    const logger = createLogger({ destination, level: 'info' })
    const store = await JsonFileStore.open(file, { maxBytes: 4096, logger })
    await store.save(generation(1))
    await store.save(generation(2))
    await store.close()
    const errors = lines.filter((line) => line.level >= 50).map((line) => line.msg)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/over limits.stateFileMax \(4 KiB\): the next start will refuse it/)
  })
})
