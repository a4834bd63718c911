import { createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'
import type { RejectedEvent, SeamEvent } from './event.js'
import { DEFAULT_EVENT_LIMITS, type EventLimits } from './event-limits.js'
import { validateEvent } from './validate-event.js'

export type JsonlItem = { line: number; event: SeamEvent } | { line: number; rejected: RejectedEvent }

/**
 * Stream the events of a JSONL file (one JSON event per line), never holding more than one line in memory.
 * Blank lines are skipped. A line that is not JSON, is over `limits` or fails seamEventSchema is yielded as `rejected` with
 * origin `${file}:${line}` (1-based line numbers); reading continues with the next line.
 * A file that cannot be opened rejects the first `next()` with the fs error.
 */
export async function* readJsonlEvents(
  file: string,
  limits: EventLimits | null = DEFAULT_EVENT_LIMITS,
): AsyncGenerator<JsonlItem> {
  const input = createReadStream(file, { encoding: 'utf8' })
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })
  let line = 0
  try {
    for await (const text of lines) {
      line += 1
      const trimmed = text.trim()
      if (trimmed === '') continue
      const origin = `${file}:${line}`
      let raw: unknown
      try {
        raw = JSON.parse(trimmed)
      } catch (error) {
        yield { line, rejected: { origin, reason: `not valid JSON: ${(error as Error).message}` } }
        continue
      }
      const checked = validateEvent(raw, origin, limits)
      yield 'event' in checked ? { line, event: checked.event } : { line, rejected: checked.rejected }
    }
  } finally {
    lines.close()
    input.destroy()
  }
}
