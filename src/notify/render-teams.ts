import { escapeCardMarkdown, oneLine } from './escape.js'
import { type AlertContent, SEVERITY_MARK } from './message.js'

/** One Adaptive Card element (structural; validated by the tests against the 1.4 shape). */
export type CardElement = Record<string, unknown>

/** The Teams message: one Adaptive Card 1.4 attachment, as a Workflows webhook trigger expects it. */
export interface TeamsPayload {
  type: 'message'
  attachments: Array<{
    contentType: 'application/vnd.microsoft.card.adaptive'
    contentUrl: null
    content: {
      $schema: string
      type: 'AdaptiveCard'
      version: '1.4'
      msteams: { width: 'Full' }
      body: CardElement[]
    }
  }>
}

/** Severity colour: TextBlock `color` and Container `style` of the header band. */
const COLOR: Record<string, { color: string; style: string }> = {
  critical: { color: 'Attention', style: 'attention' },
  warning: { color: 'Warning', style: 'warning' },
  info: { color: 'Accent', style: 'accent' },
}
const RESOLVED = { color: 'Good', style: 'good' }
/** Rolled-up alerts listed in one card (Teams cards must stay under ~28 KB). */
const MAX_ROLLUP_FACTS = 100

const md = (value: string) => escapeCardMarkdown(oneLine(value))

/** The facts table: event, device, time, rule, event_id (and group fields, key facts, counts). */
function facts(content: AlertContent): Array<{ title: string; value: string }> {
  const out: Array<[string, string]> = []
  if (content.rollup) out.push(['Alerts', String(content.rollup.length)])
  else {
    if (content.eventType) out.push(['Event', content.eventType])
    if (content.deviceId) {
      const named = content.deviceName && content.deviceName !== content.deviceId
      out.push(['Device', named ? `${content.deviceName} (${content.deviceId})` : content.deviceId])
    }
  }
  out.push(['Time', content.time], ['Rule', content.ruleId])
  if (!content.rollup) {
    out.push(['event_id', content.eventId])
    for (const [k, v] of content.group) if (k !== 'device_id') out.push([k, v])
    out.push(...content.facts)
    if (content.count > 1) out.push(['Count', String(content.count)])
    if (content.suppressed > 0) out.push(['Suppressed', String(content.suppressed)])
    if (content.duration) out.push(['Lasted', content.duration])
  }
  return out.map(([title, value]) => ({ title: md(title), value: md(value) }))
}

/** An Adaptive Card 1.4 for one alert, resolve or rollup; every value escaped for card markdown. */
export function renderTeams(content: AlertContent): TeamsPayload {
  const resolve = content.kind === 'resolve'
  const tone = resolve ? RESOLVED : (COLOR[content.severity] ?? COLOR.warning!)
  const state = resolve
    ? '✅ RESOLVED'
    : `${SEVERITY_MARK[content.severity] ?? ''} ${content.severity.toUpperCase()}`
  const heading = content.rollup ? `${state} · rollup` : state
  const body: CardElement[] = [
    {
      type: 'Container',
      style: tone.style,
      bleed: true,
      items: [
        {
          type: 'TextBlock',
          text: md(`${heading.trim()} · ${content.ruleId}`),
          weight: 'Bolder',
          color: tone.color,
          wrap: true,
        },
      ],
    },
    {
      type: 'TextBlock',
      text: md(content.title((value) => value)),
      size: 'Large',
      weight: 'Bolder',
      wrap: true,
    },
  ]
  const text = content.body(escapeCardMarkdown)
  if (text) body.push({ type: 'TextBlock', text, wrap: true })
  body.push({ type: 'FactSet', facts: facts(content) })
  if (content.rollup) {
    const lines = content.rollup.slice(0, MAX_ROLLUP_FACTS).map((r) => ({
      title: md(r.eventId),
      value: md(`${r.group || (r.device ?? '')} · ${r.time}`),
    }))
    body.push({
      type: 'TextBlock',
      text: 'Rolled-up alerts',
      weight: 'Bolder',
      wrap: true,
      spacing: 'Medium',
    })
    body.push({ type: 'FactSet', facts: lines })
  }
  body.push({
    type: 'TextBlock',
    text: md(`rule ${content.ruleId} · event_id ${content.eventId} · ${content.severity}`),
    isSubtle: true,
    size: 'Small',
    wrap: true,
  })
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          msteams: { width: 'Full' },
          body,
        },
      },
    ],
  }
}
