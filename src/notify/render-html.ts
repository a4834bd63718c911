import { escapeHtml } from './escape.js'
import { type AlertContent, summaryLines, traceText } from './message.js'

const COLORS: Record<string, string> = { info: '#2b6cb0', warning: '#c05621', critical: '#c53030' }

/** HTML body for email: same content as the text part, every value HTML-escaped. */
export function renderHtml(content: AlertContent): string {
  const h = escapeHtml
  const state = content.kind === 'resolve' ? 'RESOLVED' : content.severity.toUpperCase()
  const color = content.kind === 'resolve' ? '#2f855a' : (COLORS[content.severity] ?? '#c05621')
  const body = content.body(escapeHtml)
  const rows = summaryLines(content)
    .map(
      ([label, value]) =>
        `<tr><th align="left" style="padding-right:12px">${h(label)}</th><td>${h(value)}</td></tr>`,
    )
    .join('\n')
  const rollup = content.rollup
    ? `<p>Rolled-up alerts:</p>\n<ul>\n${content.rollup
        .map((r) => `<li><code>${h(r.eventId)}</code> ${h(r.group || (r.device ?? ''))} ${h(r.time)}</li>`)
        .join('\n')}\n</ul>`
    : ''
  return [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<h2 style="color:${color}">[${state}] ${content.title(escapeHtml)}</h2>`,
    body ? `<p style="white-space:pre-wrap">${body}</p>` : '',
    `<table>\n${rows}\n</table>`,
    rollup,
    `<p style="color:#718096;font-size:12px">${h(traceText(content))}</p>`,
    '</body></html>',
  ]
    .filter(Boolean)
    .join('\n')
}
