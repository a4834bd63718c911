import { oneLine, plainSafe } from './escape.js'
import { type AlertContent, summaryLines, traceText } from './message.js'

/** Plain-text body (email text part, console): the same content as the Block Kit and HTML renderings. */
export function renderText(content: AlertContent): string {
  const safe = (text: string) => plainSafe(oneLine(text))
  const lines: string[] = []
  const state = content.kind === 'resolve' ? 'RESOLVED' : content.severity.toUpperCase()
  lines.push(`[${state}] ${safe(content.title(plainSafe))}`)
  const body = content.body(plainSafe)
  if (body) lines.push('', plainSafe(body))
  lines.push('')
  const labelWidth = Math.max(...summaryLines(content).map(([label]) => label.length))
  for (const [label, value] of summaryLines(content))
    lines.push(`${safe(label).padEnd(labelWidth)}  ${safe(value)}`)
  if (content.rollup) {
    lines.push('', 'Rolled-up alerts:')
    for (const r of content.rollup)
      lines.push(`  - ${safe(r.eventId)}  ${safe(r.group || (r.device ?? ''))}  ${safe(r.time)}`)
  }
  lines.push('', safe(traceText(content)))
  return lines.join('\n')
}
