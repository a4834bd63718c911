/**
 * One state-write case in its own process (a clean heap: no other section's garbage in its GC pauses):
 *   node --import tsx bench/state-worker.ts <devices> <typical|busiest> <typical|heavy> <cycles> <opens> [file|postgres]
 * Runs the daemon's path: a StateHolder over a JsonFileStore (or, with `postgres`, a fenced PostgresStore on the
 * database in $SEAM_ALERTS_BENCH_PG_URL: bench/pg-state-store.ts), one update per poll cycle with that cycle's changes
 * (bench/state-fixture.ts churn). Measures each write (serialize + durable write, StateHolder's onWrite), each whole
 * update, StateHolder.open on the file afterwards, and, as the same-run baseline, JSON.stringify + UTF-8 of the
 * same state after each cycle. Prints one JSON line of medians.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { Logger } from '../src/log.js'
import type { State } from '../src/state/state-schema.js'
import type { StateAccess, Store } from '../src/state/store.js'
import { optionalImport } from './optional-import.js'
import { openBenchPostgresStore } from './pg-state-store.js'
import { buildState, churn } from './state-fixture.js'
import { median, round } from './stats.js'

interface Modules {
  store: { JsonFileStore: { open(file: string): Promise<Store> } }
  holder: {
    StateHolder: {
      open(
        store: Store,
        opts: { initial: () => State; logger: Logger; onWrite?: (ms: number, bytes: number) => void },
      ): Promise<StateAccess & { close(): Promise<void> }>
    }
  }
  log: { silentLogger: Logger }
}

export interface StateWorkerLine {
  write_ms: number
  update_ms: number
  open_ms: number
  stringify_ms: number
  bytes: number
}

async function loadModules(): Promise<Modules | string> {
  const store = await optionalImport<Modules['store']>('src/state/json-file-store.js')
  const holder = await optionalImport<Modules['holder']>('src/state/state-holder.js')
  const log = await optionalImport<Modules['log']>('src/log.js')
  for (const loaded of [store, holder, log]) if ('missing' in loaded) return loaded.missing
  return {
    store: (store as { module: Modules['store'] }).module,
    holder: (holder as { module: Modules['holder'] }).module,
    log: (log as { module: Modules['log'] }).module,
  }
}

async function main(): Promise<void> {
  const [
    devicesArg = '10000',
    shapeArg = 'typical',
    loadArg = 'typical',
    cyclesArg = '11',
    opensArg = '3',
    storeArg = 'file',
  ] = process.argv.slice(2)
  const devices = Number(devicesArg)
  const shape = shapeArg === 'busiest' ? 'busiest' : 'typical'
  const load = loadArg === 'heavy' ? 'heavy' : 'typical'
  const m = await loadModules()
  if (typeof m === 'string') {
    process.stdout.write(`${JSON.stringify({ missing: m })}\n`)
    return
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'seam-alerts-bench-state-'))
  try {
    const file = path.join(dir, 'state.json')
    let openStore = async (): Promise<Store> => m.store.JsonFileStore.open(file)
    if (storeArg === 'postgres') {
      const url = process.env.SEAM_ALERTS_BENCH_PG_URL
      if (!url) throw new Error('SEAM_ALERTS_BENCH_PG_URL is not set')
      openStore = async () => {
        const store = await openBenchPostgresStore(url, m.log.silentLogger)
        if (typeof store === 'string') throw new Error(store)
        return store
      }
      const probe = await openBenchPostgresStore(url, m.log.silentLogger).catch(
        (error: Error) => error.message,
      )
      if (typeof probe === 'string') {
        process.stdout.write(`${JSON.stringify({ missing: probe })}\n`)
        return
      }
      await probe.close()
    }
    let lastBytes = 0
    const writes: number[] = []
    const updates: number[] = []
    const stringify: number[] = []
    const holder = await m.holder.StateHolder.open(await openStore(), {
      initial: () => buildState(devices, shape),
      logger: m.log.silentLogger,
      onWrite: (ms, bytes) => {
        writes.push(ms)
        lastBytes = bytes
      },
    })
    try {
      for (let cycle = 0; cycle <= Number(cyclesArg); cycle++) {
        const start = performance.now()
        await holder.update((draft) => churn(draft, devices, cycle, load))
        if (cycle === 0) continue // the first wrote the file for the first time
        updates.push(performance.now() - start)
        const before = performance.now()
        Buffer.from(`${JSON.stringify(holder.current())}\n`, 'utf8')
        stringify.push(performance.now() - before)
      }
    } finally {
      await holder.close()
    }
    const opens: number[] = []
    for (let i = 0; i < Number(opensArg); i++) {
      const start = performance.now()
      const again = await m.holder.StateHolder.open(await openStore(), {
        initial: () => {
          throw new Error(`${file} should exist`)
        },
        logger: m.log.silentLogger,
      })
      opens.push(performance.now() - start)
      await again.close()
    }
    const line: StateWorkerLine = {
      write_ms: round(median(writes.slice(1)), 1),
      update_ms: round(median(updates), 1),
      open_ms: round(median(opens), 1),
      stringify_ms: round(median(stringify), 1),
      bytes: storeArg === 'postgres' ? lastBytes : (await stat(file)).size,
    }
    process.stdout.write(`${JSON.stringify(line)}\n`)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

await main()
