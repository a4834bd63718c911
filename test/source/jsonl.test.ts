import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { emptyCheckpoint } from '../../src/source/event-source.js'
import { JsonlEventSource } from '../../src/source/jsonl-event-source.js'
import { type JsonlItem, readJsonlEvents } from '../../src/source/jsonl-reader.js'
import { drain, expectStrictlyOrdered } from './support.js'

const ev = (id: string, t: string, type = 'lock.unlocked') =>
  JSON.stringify({ event_id: id, event_type: type, created_at: t, occurred_at: t, device_id: 'd1' })

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'seam-alerts-jsonl-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function collect(file: string): Promise<JsonlItem[]> {
  const items: JsonlItem[] = []
  for await (const item of readJsonlEvents(file)) items.push(item)
  return items
}

describe('readJsonlEvents', () => {
  it('yields events and names the line of every bad one, skipping blank lines', async () => {
    const file = path.join(dir, 'mixed.jsonl')
    const lines = [
      ev('a', '2026-01-01T00:00:00Z'),
      '',
      '{not json',
      JSON.stringify({
        event_id: 'b',
        event_type: 'x',
        created_at: 'soon',
        occurred_at: '2026-01-01T00:00:00Z',
      }),
      '   ',
      JSON.stringify({ event_type: 'x' }),
      ev('c', '2026-01-01T00:00:01Z', 'some.future_type'),
    ]
    await writeFile(file, `${lines.join('\r\n')}\n`)
    const items = await collect(file)
    expect(items.map((i) => i.line)).toEqual([1, 3, 4, 6, 7])
    expect(items[0]).toMatchObject({ line: 1, event: { event_id: 'a' } })
    expect(items[1]).toMatchObject({ line: 3, rejected: { origin: `${file}:3` } })
    expect((items[1] as { rejected: { reason: string } }).rejected.reason).toContain('not valid JSON')
    expect(items[2]).toMatchObject({ line: 4, rejected: { eventId: 'b', origin: `${file}:4` } })
    expect((items[2] as { rejected: { reason: string } }).rejected.reason).toContain('$.created_at')
    expect((items[3] as { rejected: { reason: string; eventId?: string } }).rejected.eventId).toBeUndefined()
    expect((items[3] as { rejected: { reason: string } }).rejected.reason).toMatch(
      /\$\.event_id.*\$\.created_at/,
    )
    expect(items[4]).toMatchObject({
      line: 7,
      event: { event_id: 'c', event_type: 'some.future_type', device_id: 'd1' },
    })
  })

  it('rejects a missing file with the fs error', async () => {
    await expect(collect(path.join(dir, 'missing.jsonl'))).rejects.toThrow(/ENOENT/)
  })
})

describe('JsonlEventSource', () => {
  it('replays a file in ordered batches and resumes from a checkpoint without repeats', async () => {
    const file = path.join(dir, 'many.jsonl')
    const base = Date.parse('2026-01-01T00:00:00Z')
    const lines = Array.from({ length: 25 }, (_, i) =>
      ev(`e${String(i).padStart(2, '0')}`, new Date(base + i * 1000).toISOString()),
    )
    lines.splice(10, 0, 'garbage')
    await writeFile(file, lines.join('\n'))
    const source = new JsonlEventSource({ file, batchSize: 10 })
    let rejected = 0
    const first = await source.fetch(emptyCheckpoint())
    rejected += first.rejected.length
    expect(first.events).toHaveLength(10)
    expect(first.caughtUp).toBe(false)
    // A new source (restart) with the saved checkpoint reads the file again but hands on only what is new.
    const restarted = new JsonlEventSource({ file, batchSize: 10 })
    const rest = await drain(restarted, first.checkpoint, (b) => {
      rejected += b.rejected.length
    })
    const all = [...first.events, ...rest.events]
    expectStrictlyOrdered(all)
    expect(all).toHaveLength(25)
    expect(rejected).toBe(1)
    expect(rest.checkpoint.cursor).toBe(new Date(base + 24_000).toISOString())
  })
})
