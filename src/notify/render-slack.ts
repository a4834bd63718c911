import { escapeMrkdwn, oneLine } from './escape.js'
import { type AlertContent, SEVERITY_MARK, summaryLines } from './message.js'

/** A Block Kit block (kept structural so the renderer does not depend on @slack/types). */
export type SlackBlock = Record<string, unknown>

export interface SlackPayload {
  /** Fallback text (notifications, clients without blocks); mrkdwn-escaped. */
  text: string
  blocks: SlackBlock[]
}

const SECTION_LIMIT = 2900
const HEADER_LIMIT = 150
const MAX_FIELDS = 10
const MAX_BLOCKS = 48

const mrkdwn = (text: string) => ({ type: 'mrkdwn', text })

/** Header text is plain_text (Slack never parses mentions or links there); cut to Slack's limit. */
function headerText(content: AlertContent): string {
  const mark = content.kind === 'resolve' ? '✅' : (SEVERITY_MARK[content.severity] ?? '⚠️')
  const state = content.kind === 'resolve' ? 'RESOLVED' : content.severity.toUpperCase()
  const text = oneLine(`${mark} ${state} · ${content.ruleId}`)
  return text.length > HEADER_LIMIT ? `${text.slice(0, HEADER_LIMIT - 1)}…` : text
}

/** Split lines into section texts under Slack's per-section limit. */
function chunkLines(lines: string[]): string[] {
  const chunks: string[] = []
  let current = ''
  for (const line of lines) {
    if (current && current.length + line.length + 1 > SECTION_LIMIT) {
      chunks.push(current)
      current = ''
    }
    current = current ? `${current}\n${line}` : line.slice(0, SECTION_LIMIT)
  }
  if (current) chunks.push(current)
  return chunks
}

/** Block Kit: header (severity, rule), title/body, facts as fields, rollup list, context line (rule id, event_id). */
export function renderSlack(content: AlertContent): SlackPayload {
  const e = (text: string) => escapeMrkdwn(oneLine(text))
  const title = content.title(escapeMrkdwn)
  const body = content.body(escapeMrkdwn)
  const blocks: SlackBlock[] = [{ type: 'header', text: { type: 'plain_text', text: headerText(content) } }]
  blocks.push({
    type: 'section',
    text: mrkdwn(`*${oneLine(title)}*${body ? `\n${body}` : ''}`.slice(0, SECTION_LIMIT)),
  })
  const fields = summaryLines(content)
    .slice(0, MAX_FIELDS)
    .map(([label, value]) => mrkdwn(`*${e(label)}*\n${e(value)}`.slice(0, 2000)))
  blocks.push({ type: 'section', fields })
  if (content.rollup) {
    const lines = content.rollup.map(
      (r) => `• \`${e(r.eventId)}\` ${e(r.group || (r.device ?? ''))} · ${e(r.time)}`,
    )
    for (const chunk of chunkLines(lines)) {
      if (blocks.length >= MAX_BLOCKS) break
      blocks.push({ type: 'section', text: mrkdwn(chunk) })
    }
  }
  blocks.push({
    type: 'context',
    elements: [
      mrkdwn(`rule \`${e(content.ruleId)}\` · event_id \`${e(content.eventId)}\` · ${e(content.time)}`),
    ],
  })
  const text = `${content.kind === 'resolve' ? 'Resolved' : content.severity.toUpperCase()}: ${oneLine(title)} (rule ${e(content.ruleId)}, event_id ${e(content.eventId)})`
  return { text, blocks }
}
