import { mkdtemp, readdir } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { readStateFile } from '../../src/state/state-file.js'
import { spawnFixture, waitForLine } from './fixtures/child.js'
import { whichGeneration } from './fixtures/generation.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('atomic writes under kill -9', () => {
  it('leaves a whole generation in the file and the one before it in .bak, every time', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'seam-state-crash-'))
    const file = path.join(dir, 'state.json')
    let lastDurable = 0
    const rounds = 6
    for (let round = 0; round < rounds; round++) {
      const child = spawnFixture('write-generations.ts', [file])
      let acknowledged = 0
      child.stdout?.on('data', (chunk: Buffer) => {
        for (const match of chunk.toString().matchAll(/saved (\d+)/g)) acknowledged = Number(match[1])
      })
      await waitForLine(child, /^saved \d+/)
      await sleep(30 + Math.floor(Math.random() * 250))
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGKILL')
      await exited

      const current = await readStateFile(file)
      const backup = await readStateFile(`${file}.bak`)
      expect(current).not.toBeNull()
      expect(backup).not.toBeNull()
      const n = whichGeneration(current!)
      const b = whichGeneration(backup!)
      // Each file is exactly one of the written generations, nothing torn or mixed.
      expect(n).toBeGreaterThan(0)
      expect(b).toBeGreaterThan(0)
      // Durable means durable: the file is at least the last generation the writer was told was saved.
      expect(n).toBeGreaterThanOrEqual(Math.max(acknowledged, lastDurable))
      // .bak is the generation right before (a crash between the two renames leaves both equal).
      expect([n - 1, n]).toContain(b)
      lastDurable = n
    }
    // Stray temp files of killed writers are cleaned up by the next opener; only the last kill may leave one.
    const names = await readdir(dir)
    expect(names.filter((name) => name.endsWith('.tmp')).length).toBeLessThanOrEqual(2)
    expect(lastDurable).toBeGreaterThan(rounds)
  }, 60_000)
})
