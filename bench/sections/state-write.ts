import { runJsonScript } from '../measure.js'
import { type BenchOptions, errorText, row, say } from '../report.js'
import type { StateWorkerLine } from '../state-worker.js'
import { round } from '../stats.js'
import { type PostgresStateFigures, postgresStateCases } from './state-write-postgres.js'

type Shape = 'typical' | 'busiest'
type Load = 'typical' | 'heavy'
type BySize = Record<string, number | null>

export interface StateWriteFigures extends PostgresStateFigures {
  /** One state write of a typical poll cycle (serialize + durable write), median, by devices. The figure. */
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
  /** 10k devices, `heavy` cycles: an alert storm (one event in four fires, one in ten refreshes a name). */
  state_write_heavy_10k_ms: number | null
  state_write_heavy_10k_vs_stringify: number | null
  /** The `busiest` shape (every device with windows, a timer, an incident and five seen ids) at 10k devices. */
  state_write_busiest_10k_ms: number | null
  state_open_busiest_10k_ms: number | null
  state_busiest_10k_bytes: number | null
}

const WIDTHS = [20, 10, 11, 10, 12, 11, 12]

/** One case in its own process (bench/state-worker.ts): its medians, or why it could not run. */
async function runCase(size: number, shape: Shape, load: Load, cycles: number, opens: number) {
  const args = [String(size), shape, load, String(cycles), String(opens)]
  const run = await runJsonScript<StateWorkerLine>('bench/state-worker.ts', args, { timeoutMs: 10 * 60_000 })
  if ('why' in run) throw new Error(run.why)
  return run.result
}

/** Section 4: state writes by state size, as the daemon makes them each poll cycle; and loading at start. */
export async function stateWriteSection(opts: BenchOptions): Promise<StateWriteFigures> {
  const sizes = opts.quick ? [1_000, 10_000] : [1_000, 10_000, 100_000]
  const empty = (): BySize => ({ 1000: null, 10000: null, 100000: null })
  const out: Omit<StateWriteFigures, keyof PostgresStateFigures> = {
    state_write_ms: empty(),
    state_update_ms: empty(),
    state_open_ms: empty(),
    state_stringify_ms: empty(),
    state_write_vs_stringify: empty(),
    state_bytes: empty(),
    state_write_heavy_10k_ms: null,
    state_write_heavy_10k_vs_stringify: null,
    state_write_busiest_10k_ms: null,
    state_open_busiest_10k_ms: null,
    state_busiest_10k_bytes: null,
  }
  say(
    '\n## 4. State writes (median; bench/state-fixture.ts has the state shapes and the changes of one cycle)',
  )
  say('   write: serialize + durable write of one poll cycle (1 event per 10 devices), through StateHolder;')
  say(
    '   typical cycles: an alert every 30 cycles; heavy: 1 event in 4 fires, 1 in 10 refreshes a device name',
  )
  say('   update: the whole cycle update (draft, changes, write); open: loading the state at start')
  say(
    '   baseline: JSON.stringify + UTF-8 of the same state, no file work (every write before the cached serializer)',
  )
  say(row(['devices', 'write ms', 'update ms', 'open ms', 'baseline ms', 'write/base', 'file bytes'], WIDTHS))
  const cases: Array<{ size: number; shape: Shape; load: Load }> = sizes.map((size) => ({
    size,
    shape: 'typical',
    load: 'typical',
  }))
  cases.push({ size: 10_000, shape: 'typical', load: 'heavy' })
  if (!opts.quick) cases.push({ size: 10_000, shape: 'busiest', load: 'typical' })
  for (const { size, shape, load } of cases) {
    const reps = opts.quick ? 3 : size >= 100_000 ? 5 : 21
    const label = `${size}${shape === 'busiest' ? ' busiest' : ''}${load === 'heavy' ? ' heavy' : ''}`
    try {
      const r = await runCase(size, shape, load, reps, opts.quick || size >= 100_000 ? 1 : 3)
      const ratio = round(r.write_ms / r.stringify_ms, 2)
      if (load === 'heavy') {
        out.state_write_heavy_10k_ms = r.write_ms
        out.state_write_heavy_10k_vs_stringify = ratio
      } else if (shape === 'busiest') {
        out.state_write_busiest_10k_ms = r.write_ms
        out.state_open_busiest_10k_ms = r.open_ms
        out.state_busiest_10k_bytes = r.bytes
      } else {
        out.state_write_ms[size] = r.write_ms
        out.state_update_ms[size] = r.update_ms
        out.state_open_ms[size] = r.open_ms
        out.state_stringify_ms[size] = r.stringify_ms
        out.state_write_vs_stringify[size] = ratio
        out.state_bytes[size] = r.bytes
      }
      say(row([label, r.write_ms, r.update_ms, r.open_ms, r.stringify_ms, `${ratio}x`, r.bytes], WIDTHS))
    } catch (error) {
      say(`  ${label}: failed: ${errorText(error)}`)
    }
  }
  if (opts.quick) say('100000: skipped in --quick')
  return { ...out, ...(await postgresStateCases(opts, out.state_write_ms)) }
}
