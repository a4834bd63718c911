import { mkdtemp, rm, stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { State } from '../../src/state/state-schema.js'
import type { Store } from '../../src/state/store.js'
import { optionalImport } from '../optional-import.js'
import { type BenchOptions, errorText, row, say, skipped } from '../report.js'
import { buildState } from '../state-fixture.js'
import { median, round } from '../stats.js'

interface StoreModule {
  JsonFileStore: { open(file: string): Promise<Store> }
}

export interface StateWriteFigures {
  state_write_ms: Record<string, number | null>
  state_bytes: Record<string, number | null>
  /** The `busiest` shape (every device with windows, a timer, an incident and five seen ids) at 10k devices. */
  state_write_busiest_10k_ms: number | null
  state_busiest_10k_bytes: number | null
}

const WIDTHS = [22, 10, 14]

/** Median ms of `reps` saves of `state` (after one untimed first save) and the resulting file size. */
async function timeSaves(module: StoreModule, file: string, state: State, reps: number) {
  const store = await module.JsonFileStore.open(file)
  try {
    await store.save(state) // creates the file; later saves also rotate the backup, as in the daemon
    const times: number[] = []
    for (let i = 0; i < reps; i++) {
      state.updatedAt++
      const start = performance.now()
      await store.save(state)
      times.push(performance.now() - start)
    }
    return { ms: round(median(times), 1), bytes: (await stat(file)).size }
  } finally {
    await store.close()
  }
}

/** Section 4: one JsonFileStore.save (serialize, secret screen, temp file, fsync, backup, rename) by state size. */
export async function stateWriteSection(opts: BenchOptions): Promise<StateWriteFigures> {
  const sizes = opts.quick ? [1_000, 10_000] : [1_000, 10_000, 100_000]
  const out: StateWriteFigures = {
    state_write_ms: { 1000: null, 10000: null, 100000: null },
    state_bytes: { 1000: null, 10000: null, 100000: null },
    state_write_busiest_10k_ms: null,
    state_busiest_10k_bytes: null,
  }
  say('\n## 4. State writes (JsonFileStore.save, median; see bench/state-fixture.ts for the state shapes)')
  const loaded = await optionalImport<StoreModule>('src/state/json-file-store.js')
  if ('missing' in loaded) {
    skipped('state writes', loaded.missing)
    return out
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'seam-alerts-bench-state-'))
  try {
    say(row(['devices', 'write ms', 'file bytes'], WIDTHS))
    const cases: Array<{ size: number; shape: 'typical' | 'busiest' }> = sizes.map((size) => ({
      size,
      shape: 'typical',
    }))
    if (!opts.quick) cases.push({ size: 10_000, shape: 'busiest' })
    for (const { size, shape } of cases) {
      const reps = opts.quick ? 3 : size >= 100_000 ? 5 : 11
      const label = `${size}${shape === 'busiest' ? ' (busiest)' : ''}`
      try {
        const file = path.join(dir, `state-${size}-${shape}.json`)
        const { ms, bytes } = await timeSaves(loaded.module, file, buildState(size, shape), reps)
        if (shape === 'busiest') {
          out.state_write_busiest_10k_ms = ms
          out.state_busiest_10k_bytes = bytes
        } else {
          out.state_write_ms[size] = ms
          out.state_bytes[size] = bytes
        }
        say(row([label, ms, bytes], WIDTHS))
      } catch (error) {
        say(`  ${label} devices: failed: ${errorText(error)}`)
      }
    }
    if (opts.quick) say('100000: skipped in --quick')
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
  return out
}
