import { lstat, mkdir, mkdtemp, readdir, readFile, realpath, symlink } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Command } from 'commander'
import { afterEach, describe, expect, it } from 'vitest'
import { register } from '../../src/cli/commands/state.js'
import { JsonFileStore } from '../../src/state/json-file-store.js'
import { lockStatus } from '../../src/state/lock.js'
import { runToExit, spawnFixture, waitForLine } from './fixtures/child.js'
import { generation } from './fixtures/generation.js'

const open: JsonFileStore[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((store) => store.close()))
})

/** `<tmp>/link/state.json` -> `<tmp>/data/state.json`, the data directory being where the real file lives. */
async function setup() {
  const root = await realpath(await mkdtemp(path.join(os.tmpdir(), 'seam-state-symlink-')))
  const data = path.join(root, 'data')
  const linkDir = path.join(root, 'link')
  await mkdir(data)
  await mkdir(linkDir)
  return {
    root,
    data,
    linkDir,
    target: path.join(data, 'state.json'),
    link: path.join(linkDir, 'state.json'),
  }
}

const openStore = async (file: string) => {
  const store = await JsonFileStore.open(file)
  open.push(store)
  return store
}

const isLink = async (file: string) => (await lstat(file)).isSymbolicLink()

describe('a symlinked state path', () => {
  it('locks and writes the real file, keeps the link, and puts .bak, lock and temp files beside the target', async () => {
    const { data, linkDir, target, link } = await setup()
    const first = await openStore(target)
    await first.save(generation(1))
    await first.close()
    await symlink(target, link)

    const store = await openStore(link)
    expect(store.file).toBe(target)
    expect((await store.load())?.updatedAt).toBe(1)
    await store.save(generation(2))
    await store.save(generation(3))
    await store.settled()

    expect(await isLink(link)).toBe(true)
    expect(JSON.parse(await readFile(target, 'utf8')).updatedAt).toBe(3)
    expect(JSON.parse(await readFile(link, 'utf8')).updatedAt).toBe(3)
    expect(JSON.parse(await readFile(`${target}.bak`, 'utf8')).updatedAt).toBe(2)
    expect((await readdir(linkDir)).sort()).toEqual(['state.json'])
    expect((await readdir(data)).sort()).toEqual([
      'state.json',
      'state.json.bak',
      'state.json.lock',
      'state.json.lock-owner',
    ])
  })

  it('one lock for the link and its target: a second process on the other spelling is refused', async () => {
    const { target, link } = await setup()
    await symlink(target, link)
    const holder = spawnFixture('hold-lock.ts', [link])
    await waitForLine(holder, /^locked/)
    const error = await JsonFileStore.open(target).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'STATE_LOCKED' })
    expect((error as Error).message).toContain(`pid ${holder.pid}`)
    expect(await lockStatus(target)).toMatchObject({ locked: true, owner: { pid: holder.pid } })
    expect(await lockStatus(link)).toMatchObject({ locked: true, owner: { pid: holder.pid } })
    const done = runToExit(holder)
    holder.stdin?.end()
    expect((await done).code).toBe(0)
  })

  it('a missing file in a symlinked directory is created in the real directory', async () => {
    const { root, data } = await setup()
    const dirLink = path.join(root, 'data-link')
    await symlink(data, dirLink)
    const store = await openStore(path.join(dirLink, 'state.json'))
    expect(store.file).toBe(path.join(data, 'state.json'))
    expect(await store.load()).toBeNull()
    await store.save(generation(1))
    expect(await isLink(dirLink)).toBe(true)
    expect(JSON.parse(await readFile(path.join(data, 'state.json'), 'utf8')).updatedAt).toBe(1)
  })

  it('a dangling link is followed: the first save creates the file it names, and the link stays', async () => {
    const { target, link, linkDir } = await setup()
    await symlink(path.relative(linkDir, target), link) // relative, like `ln -s ../data/state.json`
    const store = await openStore(link)
    expect(store.file).toBe(target)
    expect(await store.load()).toBeNull()
    await store.save(generation(1))
    expect(await isLink(link)).toBe(true)
    expect(JSON.parse(await readFile(target, 'utf8')).updatedAt).toBe(1)
  })

  it('a dangling link into a missing directory: a clear error naming the real file and the directory', async () => {
    const { root, link } = await setup()
    const target = path.join(root, 'not-mounted-yet', 'state.json')
    await symlink(target, link)
    const error = await JsonFileStore.open(link).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'STATE_WRITE_FAILED' })
    expect((error as Error).message).toBe(
      `Cannot lock state file ${target}: its directory ${path.dirname(target)} does not exist. Create it, writable by the user running seam-alerts, or point "state" elsewhere.`,
    )
    expect(await isLink(link)).toBe(true)
  })

  it('a symlink loop is a clear STATE_CORRUPT error naming the path', async () => {
    const { root } = await setup()
    const a = path.join(root, 'a.json')
    const b = path.join(root, 'b.json')
    await symlink(b, a)
    await symlink(a, b)
    const error = await JsonFileStore.open(a).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'STATE_CORRUPT' })
    expect((error as Error).message).toContain(`State path ${a} is a loop of symbolic links`)
  })

  it('the state commands work on the real file: show names it and its .bak, restore keeps the link', async () => {
    const { target, link } = await setup()
    const store = await openStore(target)
    await store.save(generation(1))
    await store.save(generation(2))
    await store.close()
    await symlink(target, link)
    let out = ''
    const run = async (...args: string[]) => {
      out = ''
      const program = new Command().exitOverride()
      register(program, {
        stdout: { write: (text: string) => (out += text) },
        now: () => Date.UTC(2026, 0, 1),
        cwd: () => path.dirname(link),
        env: {},
      })
      await program.parseAsync(['node', 'seam-alerts', ...args])
      return out
    }
    const shown = JSON.parse(await run('state', 'show', '--state', link, '--json'))
    expect(shown).toMatchObject({ file: target, backup: { file: `${target}.bak` } })
    expect(await run('state', 'restore', '--state', link)).toContain(`Restored ${target} from ${target}.bak`)
    expect(await isLink(link)).toBe(true)
    expect(JSON.parse(await readFile(link, 'utf8')).updatedAt).toBe(1)
  })
})
