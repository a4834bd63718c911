/**
 * Fixtures shared across the test folders: the fixed instants tests start their manual clocks at, time helpers,
 * an in-memory state, and output capture. A helper used by one folder only stays in that folder's helpers file.
 */
import { PassThrough, Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { createLogger, type Logger, silentLogger } from '../../src/log.js'
import { MemoryStore } from '../../src/state/memory-store.js'
import { StateHolder } from '../../src/state/state-holder.js'
import { emptyState } from '../../src/state/state-schema.js'
import type { Store } from '../../src/state/store.js'

/** The repository root, with a trailing slash (`${REPO_ROOT}config.example.json`). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** Where most tests start their manual clock: noon UTC on 1 March 2026. */
export const T0 = Date.parse('2026-03-01T12:00:00.000Z')
/** Where the daemon part tests start: 08:00 UTC, the hour of their `0 8 * * *` digest (asserted verbatim there). */
export const T0_DAEMON = Date.parse('2025-03-01T08:00:00.000Z')
/** Where the rule tests' events start (`event()` in test/rules/helpers.ts): midnight UTC, 1 January 2026. */
export const T0_RULES = Date.parse('2026-01-01T00:00:00.000Z')
export const MIN = 60_000

/** The ISO-8601 string of an epoch-milliseconds instant. */
export const at = (ms: number): string => new Date(ms).toISOString()

/** A StateHolder over a fresh (or the given) store, starting from `emptyState()`, logging nowhere. */
export const openState = (store: Store = new MemoryStore()) =>
  StateHolder.open(store, { initial: emptyState, logger: silentLogger })

/** A writable stream that keeps what is written, for asserting a command's or a logger's output. */
export function captureStream(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough()
  const chunks: string[] = []
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')))
  return { stream, text: () => chunks.join('') }
}

/** A pino logger writing JSON lines into an array (for asserting what was logged, and what never was). */
export function captureLogger(): { logger: Logger; lines: Record<string, unknown>[]; text: () => string } {
  const raw: string[] = []
  const stream = new Writable({
    write(chunk, _enc, done) {
      raw.push(String(chunk))
      done()
    },
  })
  const logger = createLogger({ destination: stream, level: 'debug', pretty: false })
  return {
    logger,
    get lines() {
      return raw.flatMap((chunk) => chunk.split('\n').filter(Boolean)).map((line) => JSON.parse(line))
    },
    text: () => raw.join(''),
  }
}
