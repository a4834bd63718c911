import { startPostgres } from '../../test/helpers/postgres-server.js'
import { runJsonScript } from '../measure.js'
import { type BenchOptions, errorText, row, say, skipped } from '../report.js'
import type { StateWorkerLine } from '../state-worker.js'
import { round } from '../stats.js'

type BySize = Record<string, number | null>

export interface PostgresStateFigures {
  /** One fenced save of a typical poll cycle to the PostgreSQL store (one JSONB document), median, by devices. */
  state_write_pg_ms: BySize
  state_update_pg_ms: BySize
  /** Loading the state from PostgreSQL at start (connect, migrate, read, parse, validate). */
  state_open_pg_ms: BySize
  /** PostgreSQL write / file write, same run, same states. */
  state_write_pg_vs_file: BySize
}

const WIDTHS = [12, 14, 12, 13, 11, 9]

/**
 * Section 4, PostgreSQL: the same cases as the file store's typical ones (bench/state-worker.ts `postgres`), on a
 * real PostgreSQL started for the run in a temporary directory by the test harness (fsync off, like the tests:
 * the figure is the store's own cost, not a disk's). Each case gets a fresh database.
 */
export async function postgresStateCases(
  opts: BenchOptions,
  fileWriteMs: BySize,
): Promise<PostgresStateFigures> {
  const sizes = [1_000, 10_000]
  const empty = (): BySize => ({ 1000: null, 10000: null })
  const out: PostgresStateFigures = {
    state_write_pg_ms: empty(),
    state_update_pg_ms: empty(),
    state_open_pg_ms: empty(),
    state_write_pg_vs_file: empty(),
  }
  say('\n   PostgreSQL store (one JSONB document, fenced by the lease epoch; local server, fsync off):')
  let server: Awaited<ReturnType<typeof startPostgres>>
  try {
    server = await startPostgres()
  } catch (error) {
    skipped('state (PostgreSQL)', errorText(error))
    return out
  }
  try {
    say(row(['devices', 'file write ms', 'pg write ms', 'pg update ms', 'pg open ms', 'pg/file'], WIDTHS))
    for (const size of sizes) {
      const reps = opts.quick ? 3 : 21
      process.env.SEAM_ALERTS_BENCH_PG_URL = server.url(await server.createDatabase())
      const args = [String(size), 'typical', 'typical', String(reps), opts.quick ? '1' : '3', 'postgres']
      const run = await runJsonScript<StateWorkerLine>('bench/state-worker.ts', args, {
        timeoutMs: 10 * 60_000,
      })
      if ('why' in run) {
        say(`  ${size}: failed: ${run.why}`)
        continue
      }
      const r = run.result
      const file = fileWriteMs[size] ?? null
      const ratio = file ? round(r.write_ms / file, 1) : null
      out.state_write_pg_ms[size] = r.write_ms
      out.state_update_pg_ms[size] = r.update_ms
      out.state_open_pg_ms[size] = r.open_ms
      out.state_write_pg_vs_file[size] = ratio
      say(
        row(
          [String(size), file, r.write_ms, r.update_ms, r.open_ms, ratio === null ? null : `${ratio}x`],
          WIDTHS,
        ),
      )
    }
  } catch (error) {
    say(`  PostgreSQL: failed: ${errorText(error)}`)
  } finally {
    delete process.env.SEAM_ALERTS_BENCH_PG_URL
    await server.close()
  }
  return out
}
