import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { JsonFileStore } from '../../src/state/json-file-store.js'
import { parseStateText } from '../../src/state/state-file.js'
import { stateJson } from '../../src/state/state-json.js'
import { emptyState, type State } from '../../src/state/state-schema.js'
import { generation } from './fixtures/generation.js'

const open: JsonFileStore[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((store) => store.close()))
})

async function setup(opts: { prettyBelow?: number } = {}) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'seam-state-store-'))
  const file = path.join(dir, 'state.json')
  const store = await JsonFileStore.open(file, opts)
  open.push(store)
  return { dir, file, store }
}

const expectCorrupt = async (promise: Promise<unknown>, file: string, problem: RegExp) => {
  const error = (await promise.catch((e: unknown) => e)) as Error & { code?: string }
  expect(error).toBeInstanceOf(Error)
  expect(error.code).toBe('STATE_CORRUPT')
  expect(error.message).toContain(file)
  expect(error.message).toMatch(problem)
  return error
}

describe('JsonFileStore', () => {
  it('returns null for a missing file, and round-trips a saved state', async () => {
    const { store } = await setup()
    expect(await store.load()).toBeNull()
    await store.save(generation(1))
    expect(await store.load()).toEqual(generation(1))
    expect(store.lastSaveBytes).toBeGreaterThan(1000)
  })

  it('keeps the previous generation as .bak, both mode 0600', async () => {
    const { file, store, dir } = await setup()
    await store.save(generation(1))
    await expect(stat(`${file}.bak`)).rejects.toMatchObject({ code: 'ENOENT' })
    await store.save(generation(2))
    await store.save(generation(3))
    expect(parseStateText(await readFile(file, 'utf8'), file).updatedAt).toBe(3)
    expect(parseStateText(await readFile(`${file}.bak`, 'utf8'), file).updatedAt).toBe(2)
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    expect((await stat(`${file}.bak`)).mode & 0o777).toBe(0o600)
    // No temp files left behind (the retired .bak generation is unlinked just after each save resolved).
    await store.settled()
    expect((await readdir(dir)).sort()).toEqual(
      ['state.json', 'state.json.bak', 'state.json.lock', 'state.json.lock-owner'].sort(),
    )
  })

  it('pretty-prints small states and writes large ones compact', async () => {
    const { file, store } = await setup()
    await store.save(emptyState())
    expect(await readFile(file, 'utf8')).toContain('\n  "version": 1')
    const big = generation(1)
    for (let i = 0; i < 3000; i++) big.devices[`d${i}`] = { name: `device ${i}`, fetchedAt: i }
    await store.save(big)
    const text = await readFile(file, 'utf8')
    expect(text.split('\n').length).toBe(2)
    expect(parseStateText(text, file)).toEqual(big)
  })

  it('writes non-ASCII text as UTF-8 ending in one newline, small and large', async () => {
    const { file, store } = await setup()
    const small = generation(1)
    small.devices.d = { name: 'Tür Süd 🔒', fetchedAt: 1 }
    await store.save(small)
    const smallText = await readFile(file, 'utf8')
    expect(smallText.endsWith('}\n')).toBe(true)
    expect(parseStateText(smallText, file)).toEqual(small)
    const big = generation(2)
    for (let i = 0; i < 3000; i++) big.devices[`d${i}`] = { name: `Tür ${i} €🔒`, fetchedAt: i }
    await store.save(big)
    const bytes = await readFile(file)
    expect(bytes.equals(Buffer.from(`${JSON.stringify(big)}\n`, 'utf8'))).toBe(true)
    expect(store.lastSaveBytes).toBe(bytes.length)
  })

  it('writes the JSON it is given (StateHolder passes stateJson), and a failed save leaves lastSaveBytes alone', async () => {
    const { store, file } = await setup({ prettyBelow: 0 })
    expect(store.lastSaveBytes).toBeUndefined()
    const state = generation(1)
    await store.save(state, stateJson(state))
    expect((await readFile(file)).equals(Buffer.from(`${JSON.stringify(state)}\n`))).toBe(true)
    const saved = store.lastSaveBytes
    expect(saved).toBe((await readFile(file)).length)
    const refused = generation(2)
    refused.deadLetters = [{ action: { token: 'x' } } as unknown as State['deadLetters'][number]]
    await expect(store.save(refused)).rejects.toMatchObject({ code: 'STATE_WRITE_FAILED' })
    expect(store.lastSaveBytes).toBe(saved)
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(generation(1))
  })

  it('refuses a truncated file, naming the file, the problem and both recoveries', async () => {
    const { file, store } = await setup()
    await store.save(generation(4))
    const text = await readFile(file, 'utf8')
    await writeFile(file, text.slice(0, Math.floor(text.length / 2)))
    const error = await expectCorrupt(store.load(), file, /not valid JSON, probably truncated/)
    expect(error.message).toContain('seam-alerts state restore')
    expect(error.message).toContain('seam-alerts state reset --from now')
    expect(error.message).toContain('never starts from scratch')
  })

  it('refuses an empty file and a non-JSON file', async () => {
    const { file, store } = await setup()
    await writeFile(file, '')
    await expectCorrupt(store.load(), file, /empty \(truncated\)/)
    await writeFile(file, 'version=1\n')
    await expectCorrupt(store.load(), file, /not valid JSON/)
  })

  it('refuses a schema failure with the JSON path of the problem', async () => {
    const { file, store } = await setup()
    const bad = JSON.parse(JSON.stringify(generation(1)))
    bad.source.cursor = 42
    bad.outbox = [{ id: 'x' }]
    await writeFile(file, JSON.stringify(bad))
    const error = await expectCorrupt(store.load(), file, /does not match the state format/)
    expect(error.message).toContain('$.source.cursor')
    expect(error.message).toContain('$.outbox[0].decision')
    await writeFile(file, JSON.stringify({ source: {} }))
    await expectCorrupt(store.load(), file, /\$\.version/)
  })

  it('refuses a file from a newer seam-alerts and says to upgrade', async () => {
    const { file, store } = await setup()
    await writeFile(file, JSON.stringify({ ...emptyState(), version: 2 }))
    const error = await expectCorrupt(store.load(), file, /newer seam-alerts \(state version 2/)
    expect(error.message).toMatch(/Upgrade seam-alerts/)
  })

  it('moves a damaged file aside instead of making it the .bak', async () => {
    const { dir, file, store } = await setup()
    await store.save(generation(1))
    await store.save(generation(2))
    await writeFile(file, '{"version":1,"sour')
    await expect(store.load()).rejects.toMatchObject({ code: 'STATE_CORRUPT' })
    await store.save(generation(3))
    expect(parseStateText(await readFile(`${file}.bak`, 'utf8'), file).updatedAt).toBe(1)
    expect(store.movedAside).toMatch(/state\.json\.damaged-/)
    const aside = (await readdir(dir)).find((name) => name.startsWith('state.json.damaged-'))
    expect(await readFile(path.join(dir, aside!), 'utf8')).toBe('{"version":1,"sour')
  })

  it('removes temp files left by a killed writer when it opens', async () => {
    const { dir, file, store } = await setup()
    await store.close()
    const stray = path.join(dir, `.state.json.12345.7.0badcafe.tmp`)
    const unrelated = path.join(dir, 'notes.tmp')
    await writeFile(stray, '{"version":1,')
    await writeFile(unrelated, 'keep me')
    const again = await JsonFileStore.open(file)
    open.push(again)
    const names = await readdir(dir)
    expect(names).not.toContain(path.basename(stray))
    expect(names).toContain('notes.tmp')
  })

  it('refuses to write after close', async () => {
    const { store } = await setup()
    await store.close()
    await expect(store.save(emptyState())).rejects.toMatchObject({ code: 'STATE_WRITE_FAILED' })
  })
})
