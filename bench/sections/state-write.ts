import { mkdtemp, rm, stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { Logger } from '../../src/log.js'
import type { State } from '../../src/state/state-schema.js'
import type { StateAccess, Store } from '../../src/state/store.js'
import { optionalImport } from '../optional-import.js'
import { type BenchOptions, errorText, row, say, skipped } from '../report.js'
import { buildState, churn } from '../state-fixture.js'
import { median, round } from '../stats.js'

interface StoreModule {
  JsonFileStore: { open(file: string): Promise<Store> }
}
interface HolderModule {
  StateHolder: {
    open(
      store: Store,
      opts: { initial: () => State; logger: Logger; onWrite?: (ms: number, bytes: number) => void },
    ): Promise<StateAccess & { close(): Promise<void> }>
  }
}
interface LogModule {
  silentLogger: Logger
}

type Shape = 'typical' | 'busiest'
type BySize = Record<string, number | null>

export interface StateWriteFigures {
  /** One state write of a poll cycle (serialize + durable write), median, by devices. The figure. */
  state_write_ms: BySize
  /** The whole update of that cycle: draft, the cycle's changes, serialize, write. */
  state_update_ms: BySize
  /** StateHolder.open at start: read, parse, validate the file, and serialize it once (nothing cached yet). */
  state_open_ms: BySize
  /**
   * Baseline, same run, same states: `JSON.stringify` and UTF-8 encoding of the whole state (what every write
   * cost before the cached serializer, before any file work), and the write's ratio to it.
   */
  state_stringify_ms: BySize
  state_write_vs_stringify: BySize
  state_bytes: BySize
  /** The `busiest` shape (every device with windows, a timer, an incident and five seen ids) at 10k devices. */
  state_write_busiest_10k_ms: number | null
  state_open_busiest_10k_ms: number | null
  state_busiest_10k_bytes: number | null
}

interface Modules {
  store: StoreModule
  holder: HolderModule
  log: LogModule
}

const WIDTHS = [18, 10, 11, 10, 12, 11, 12]

/** Median ms of StateHolder.open on the file: read, parse, validate, and the first (uncached) serialization. */
async function opens(m: Modules, file: string, reps: number): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < reps; i++) {
    const start = performance.now()
    const holder = await m.holder.StateHolder.open(await m.store.JsonFileStore.open(file), {
      initial: () => {
        throw new Error(`${file} should exist`)
      },
      logger: m.log.silentLogger,
    })
    times.push(performance.now() - start)
    await holder.close()
  }
  return round(median(times), 1)
}

/** The daemon's path: StateHolder over the file, one update per poll cycle with that cycle's changes. */
async function cycleSaves(m: Modules, file: string, devices: number, shape: Shape, reps: number) {
  const writes: number[] = []
  const stringify: number[] = []
  const holder = await m.holder.StateHolder.open(await m.store.JsonFileStore.open(file), {
    initial: () => buildState(devices, shape),
    logger: m.log.silentLogger,
    onWrite: (ms) => writes.push(ms),
  })
  try {
    const updates: number[] = []
    for (let cycle = 0; cycle <= reps; cycle++) {
      const start = performance.now()
      await holder.update((draft) => churn(draft, devices, cycle))
      if (cycle === 0) continue // the first also wrote the file for the first time
      updates.push(performance.now() - start)
      const before = performance.now()
      Buffer.from(`${JSON.stringify(holder.current())}\n`, 'utf8')
      stringify.push(performance.now() - before)
    }
    return {
      write: round(median(writes.slice(1)), 1),
      update: round(median(updates), 1),
      stringify: round(median(stringify), 1),
      bytes: (await stat(file)).size,
    }
  } finally {
    await holder.close()
  }
}

/** Section 4: state writes by state size, as the daemon makes them each poll cycle; and loading at start. */
export async function stateWriteSection(opts: BenchOptions): Promise<StateWriteFigures> {
  const sizes = opts.quick ? [1_000, 10_000] : [1_000, 10_000, 100_000]
  const empty = (): BySize => ({ 1000: null, 10000: null, 100000: null })
  const out: StateWriteFigures = {
    state_write_ms: empty(),
    state_update_ms: empty(),
    state_open_ms: empty(),
    state_stringify_ms: empty(),
    state_write_vs_stringify: empty(),
    state_bytes: empty(),
    state_write_busiest_10k_ms: null,
    state_open_busiest_10k_ms: null,
    state_busiest_10k_bytes: null,
  }
  say(
    '\n## 4. State writes (median; bench/state-fixture.ts has the state shapes and the changes of one cycle)',
  )
  say('   write: serialize + durable write of one poll cycle (1 event per 10 devices), through StateHolder')
  say('   update: the whole cycle update (draft, changes, write); open: loading the state at start')
  say(
    '   baseline: JSON.stringify + UTF-8 of the same state, no file work (every write before the cached serializer)',
  )
  const store = await optionalImport<StoreModule>('src/state/json-file-store.js')
  const holder = await optionalImport<HolderModule>('src/state/state-holder.js')
  const log = await optionalImport<LogModule>('src/log.js')
  if ('missing' in store || 'missing' in holder || 'missing' in log) {
    skipped('state writes', [store, holder, log].map((x) => ('missing' in x ? x.missing : '')).join(' '))
    return out
  }
  const m: Modules = { store: store.module, holder: holder.module, log: log.module }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'seam-alerts-bench-state-'))
  try {
    say(
      row(['devices', 'write ms', 'update ms', 'open ms', 'baseline ms', 'write/base', 'file bytes'], WIDTHS),
    )
    const cases: Array<{ size: number; shape: Shape }> = sizes.map((size) => ({ size, shape: 'typical' }))
    if (!opts.quick) cases.push({ size: 10_000, shape: 'busiest' })
    for (const { size, shape } of cases) {
      const reps = opts.quick ? 3 : size >= 100_000 ? 5 : 11
      const label = `${size}${shape === 'busiest' ? ' (busiest)' : ''}`
      try {
        const file = path.join(dir, `state-${size}-${shape}.json`)
        const cycle = await cycleSaves(m, file, size, shape, reps)
        const open = await opens(m, file, opts.quick || size >= 100_000 ? 1 : 3)
        if (shape === 'busiest') {
          out.state_write_busiest_10k_ms = cycle.write
          out.state_open_busiest_10k_ms = open
          out.state_busiest_10k_bytes = cycle.bytes
        } else {
          out.state_write_ms[size] = cycle.write
          out.state_update_ms[size] = cycle.update
          out.state_open_ms[size] = open
          out.state_stringify_ms[size] = cycle.stringify
          out.state_write_vs_stringify[size] = round(cycle.write / cycle.stringify, 2)
          out.state_bytes[size] = cycle.bytes
        }
        const ratio = `${round(cycle.write / cycle.stringify, 2)}x`
        say(row([label, cycle.write, cycle.update, open, cycle.stringify, ratio, cycle.bytes], WIDTHS))
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
