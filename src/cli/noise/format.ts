import type { HistoryEntry } from '../../noise/history.js'
import type { SilenceView } from '../../noise/silence-ops.js'

/** Left-aligned columns separated by two spaces; the last column is not padded. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)))
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd()
  return `${[line(header), ...rows.map(line)].join('\n')}\n`
}

const oneLine = (text: string, max = 60) => {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}

export function silenceTable(silences: readonly SilenceView[]): string {
  if (silences.length === 0) return 'No silences.\n'
  return table(
    ['ID', 'STATUS', 'STARTS', 'ENDS', 'BY', 'HELD', 'MATCHERS', 'COMMENT'],
    silences.map((s) => [
      s.id,
      s.status,
      s.startsAt,
      s.endsAt,
      oneLine(s.createdBy, 24),
      String(s.suppressed),
      s.matchers.join(','),
      oneLine(s.comment) + (s.noSummary ? ' [no summary]' : ''),
    ]),
  )
}

/** What an outcome was about: the silence, interval, inhibiting incident, reason or message ref. */
function detail(entry: HistoryEntry): string {
  if (entry.silenceId) return `silence ${entry.silenceId}`
  if (entry.muteTime) return `mute ${entry.muteTime}`
  if (entry.inhibitedBy) return `inhibited by ${entry.inhibitedBy}`
  if (entry.reason) return oneLine(entry.reason)
  if (entry.by) return `by ${entry.by}`
  if (entry.ref) return `ref ${entry.ref}`
  return ''
}

export function historyTable(entries: readonly HistoryEntry[]): string {
  if (entries.length === 0) return 'No alerts in the history match.\n'
  return table(
    ['TIME', 'RULE', 'KIND', 'OUTCOME', 'TARGET', 'EVENT_ID', 'DETAIL'],
    entries.map((e) => [
      new Date(e.at).toISOString(),
      e.rule,
      e.kind,
      e.outcome,
      e.target ?? '-',
      e.event_id,
      detail(e),
    ]),
  )
}
