import { parseDuration } from '../duration.js'
import type { HistoryEntry } from './history.js'

/**
 * Which history entries to list: `seam-alerts history` and `GET /api/v1/alerts` take the same filters.
 * Every filter given must hold; `labels` must all be equal on the entry.
 */
export interface HistoryQuery {
  rule?: string
  /** Epoch ms: entries at or after this. */
  since?: number
  labels?: Record<string, string>
  /** At most this many, the newest ones (the list stays oldest first). */
  limit?: number
}

export const HISTORY_LIMIT_DEFAULT = 1000
export const HISTORY_LIMIT_MAX = 100_000

/** `--since` / `?since=`: a duration back from now (`1d`, `90m`) or an ISO 8601 time. Throws on anything else. */
export function parseSince(text: string, now: number): number {
  if (/^\d+(ms|s|m|h|d)$/.test(text)) return now - parseDuration(text)
  const at = Date.parse(text)
  if (/^\d{4}-\d{2}-\d{2}/.test(text) && !Number.isNaN(at)) return at
  throw new Error(
    `expected a duration back from now like "1d" or "90m", or an ISO 8601 time like "2026-03-01T09:00:00Z", got ${JSON.stringify(text)}`,
  )
}

/** `--label name=value` / `?label=name=value`: split at the first `=`. Throws naming the text when malformed. */
export function parseLabelFilter(text: string): [string, string] {
  const eq = text.indexOf('=')
  if (eq <= 0) throw new Error(`expected name=value like "device_id=dev_1", got ${JSON.stringify(text)}`)
  return [text.slice(0, eq), text.slice(eq + 1)]
}

export function queryHistory(history: readonly HistoryEntry[], query: HistoryQuery): HistoryEntry[] {
  const labels = Object.entries(query.labels ?? {})
  const matching = history.filter(
    (entry) =>
      (query.rule === undefined || entry.rule === query.rule) &&
      (query.since === undefined || entry.at >= query.since) &&
      labels.every(([name, value]) => Object.hasOwn(entry.labels, name) && entry.labels[name] === value),
  )
  const limit = query.limit ?? HISTORY_LIMIT_DEFAULT
  return matching.length > limit ? matching.slice(matching.length - limit) : matching
}
