import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { emptyCheckpoint } from '../../src/source/event-source.js'
import { JsonlEventSource } from '../../src/source/jsonl-event-source.js'
import { realSleep } from '../../src/source/retry.js'
import { captureLogger } from '../helpers/fixtures.js'
import { eventually, startStalledHttp } from '../helpers/stalled-server.js'
import { startStrictEmulator } from '../helpers/strict-emulator.js'
import { drain, makeSource } from './support.js'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

const codeOf = (error: unknown) => (error as { code?: string }).code

describe('cancelling a fetch (shutdown)', () => {
  it('aborts a request hanging on a stalled Seam: the socket is closed, nothing is retried or logged as an error', async () => {
    const stalled = await startStalledHttp()
    cleanups.push(stalled.close)
    const log = captureLogger()
    const { source } = makeSource({
      url: stalled.url,
      apiKey: 'seam_k',
      requestTimeoutMs: 60_000,
      logger: log.logger,
    })
    const controller = new AbortController()
    const fetching = source.fetch(emptyCheckpoint(), controller.signal).catch((error: unknown) => error)
    expect(await eventually(() => stalled.requests.length === 1)).toBe(true)
    controller.abort()
    const error = await fetching
    expect(codeOf(error)).toBe('ABORTED')
    // Only the client can end a request the server never answers: closed means cancelled, not timed out (60 s).
    expect(await eventually(() => stalled.requests[0]?.closed === true)).toBe(true)
    expect(stalled.requests).toHaveLength(1)
    expect(source.stats.retries).toBe(0)
    expect(log.lines.filter((line) => Number(line.level) >= 40)).toEqual([])
  })

  it('ends a backoff between retries at once, without another attempt', async () => {
    const emulator = await startStrictEmulator()
    cleanups.push(emulator.close)
    const { source } = makeSource({
      url: emulator.url,
      apiKey: emulator.apiKey,
      sleep: realSleep,
      retry: { attempts: 5, baseMs: 60_000, maxMs: 60_000, random: () => 0.99 },
    })
    emulator.fail({ kind: 'status', status: 503 })
    const controller = new AbortController()
    const fetching = source.fetch(emptyCheckpoint(), controller.signal).catch((error: unknown) => error)
    expect(await eventually(() => source.stats.retries === 1)).toBe(true)
    controller.abort()
    expect(codeOf(await fetching)).toBe('ABORTED')
    expect(emulator.requests).toBe(1)
  })

  it('a JSONL source stops reading, and reads on from its checkpoint on the next fetch', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'seam-alerts-cancel-'))
    cleanups.push(() => rm(dir, { recursive: true, force: true }))
    const file = path.join(dir, 'events.jsonl')
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString()
    const line = (id: string, s: number) =>
      JSON.stringify({ event_id: id, event_type: 'lock.unlocked', created_at: at(s), occurred_at: at(s) })
    await writeFile(file, `${['a', 'b', 'c'].map((id, i) => line(id, i)).join('\n')}\n`)
    const source = new JsonlEventSource({ file, batchSize: 1 })
    const first = await source.fetch(emptyCheckpoint())
    expect(first.events.map((e) => e.event_id)).toEqual(['a'])
    const aborted = new AbortController()
    aborted.abort()
    expect(codeOf(await source.fetch(first.checkpoint, aborted.signal).catch((e: unknown) => e))).toBe(
      'ABORTED',
    )
    // The file is read again from the start; what the checkpoint says was handed on is skipped.
    const rest = await drain(source, first.checkpoint)
    expect(rest.events.map((e) => e.event_id)).toEqual(['b', 'c'])
    await source.close()
  })
})
