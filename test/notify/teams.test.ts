import { afterEach, describe, expect, it } from 'vitest'
import { escapeCardMarkdown } from '../../src/notify/escape.js'
import type { AlertMessage } from '../../src/notify/notifier.js'
import { TeamsNotifier } from '../../src/notify/teams.js'
import type { Action } from '../../src/rules/action-schema.js'
import { type HttpStandIn, startHttpStandIn } from '../helpers/http-stand-in.js'
import { decision } from './helpers.js'

let teams: HttpStandIn | undefined
afterEach(async () => {
  await teams?.close()
  teams = undefined
})

type Card = {
  type: string
  attachments: Array<{ contentType: string; contentUrl: null; content: Record<string, unknown> }>
}

/** The Adaptive Card 1.4 elements this card may use, with the properties each may carry. */
const ALLOWED: Record<string, string[]> = {
  Container: ['type', 'style', 'bleed', 'items'],
  TextBlock: ['type', 'text', 'weight', 'color', 'wrap', 'size', 'isSubtle', 'spacing'],
  FactSet: ['type', 'facts'],
}

function checkShape(card: Card): Array<Record<string, unknown>> {
  expect(card.type).toBe('message')
  expect(card.attachments).toHaveLength(1)
  const attachment = card.attachments[0]!
  expect(attachment.contentType).toBe('application/vnd.microsoft.card.adaptive')
  expect(attachment.contentUrl).toBeNull()
  const content = attachment.content
  expect(content).toMatchObject({
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
  })
  const all: Array<Record<string, unknown>> = []
  const walk = (elements: Array<Record<string, unknown>>) => {
    for (const element of elements) {
      const type = String(element.type)
      expect(Object.keys(ALLOWED)).toContain(type)
      for (const key of Object.keys(element)) expect(ALLOWED[type]).toContain(key)
      if (type === 'FactSet')
        for (const fact of element.facts as Array<Record<string, unknown>>)
          expect(Object.keys(fact).sort()).toEqual(['title', 'value'])
      all.push(element)
      if (type === 'Container') walk(element.items as Array<Record<string, unknown>>)
    }
  }
  walk(content.body as Array<Record<string, unknown>>)
  return all
}

const factsOf = (elements: Array<Record<string, unknown>>) =>
  Object.fromEntries(
    (elements.find((e) => e.type === 'FactSet')!.facts as Array<{ title: string; value: string }>).map(
      (f) => [f.title, f.value],
    ),
  )

const HOSTILE = '<!channel> <b>x</b> **bold** _i_ [click](https://evil) `code` # h'

function message(over: Partial<AlertMessage> = {}): AlertMessage {
  const d = decision({ event_id: 'evt_1' })
  d.event = { ...d.event, note: HOSTILE }
  return {
    id: 'battery-low:fire:evt_1:0',
    decision: d,
    action: { type: 'teams', webhookUrl: 'http://x/y', text: 'Note: {{event.note}}' } as Action,
    rule: { id: 'battery-low', description: 'Battery low', severity: 'critical' },
    deviceName: `Door ${HOSTILE}`,
    timezone: 'UTC',
    ...over,
  }
}

async function post(m: AlertMessage): Promise<Card> {
  teams ??= await startHttpStandIn(undefined, { status: 202 })
  const action = { ...(m.action as object), webhookUrl: `${teams.url}/workflows/abc` } as Action
  await new TeamsNotifier().send({ ...m, action }, AbortSignal.timeout(5000))
  const call = teams.calls.at(-1)!
  expect(call.method).toBe('POST')
  expect(call.path).toBe('/workflows/abc')
  expect(call.headers['content-type']).toBe('application/json')
  return call.json as Card
}

describe('Microsoft Teams (Workflows webhook, Adaptive Card 1.4)', () => {
  it('posts a card with a title, a facts table and the severity colour; hostile text is escaped', async () => {
    const card = await post(message())
    const elements = checkShape(card)
    const header = elements.find((e) => e.type === 'TextBlock' && e.color)!
    expect(header).toMatchObject({ color: 'Attention', weight: 'Bolder' })
    expect(elements.find((e) => e.type === 'Container')).toMatchObject({ style: 'attention' })
    const esc = escapeCardMarkdown(`Door ${HOSTILE}`)
    const title = elements.find((e) => e.size === 'Large')!
    expect(title.text).toBe(`${esc}: Battery low`)
    expect(elements.some((e) => e.text === `Note: ${escapeCardMarkdown(HOSTILE)}`)).toBe(true)
    const facts = factsOf(elements)
    expect(facts).toMatchObject({
      Event: 'device.low\\_battery',
      Device: `${esc} (dev\\_1)`,
      Time: '2026-03-01 12:00:00 UTC',
      Rule: 'battery-low',
      'event\\_id': 'evt\\_1',
    })
    // No raw markup survives anywhere in the card.
    const text = JSON.stringify(card)
    for (const raw of ['<!channel>', '<b>', '**bold**', '[click](', '`code`']) expect(text).not.toContain(raw)
  })

  it('gives a resolve and a rollup their own cards', async () => {
    const resolved = checkShape(
      await post(message({ decision: decision({ kind: 'resolve', event_id: 'evt_2' }) })),
    )
    expect(resolved.find((e) => e.type === 'Container')).toMatchObject({ style: 'good' })
    expect(String(resolved.find((e) => e.color)?.text)).toContain('RESOLVED')

    const rollup = [1, 2, 3].map((i) => decision({ event_id: `evt_r${i}`, group: { device_id: `d${i}` } }))
    const card = checkShape(await post(message({ rollup, decision: rollup[0]!, deviceName: undefined })))
    expect(String(card.find((e) => e.size === 'Large')?.text)).toBe('Battery low: 3 alerts rolled up')
    const lists = card.filter((e) => e.type === 'FactSet')
    expect(lists).toHaveLength(2)
    expect((lists[1]!.facts as Array<{ title: string }>).map((f) => f.title)).toEqual([
      'evt\\_r1',
      'evt\\_r2',
      'evt\\_r3',
    ])
  })

  it('escapes every markdown control character and line-start list markers', () => {
    expect(escapeCardMarkdown('**x** [a](b) <at>u</at> &lt; a\\b ~s~ | #')).toBe(
      '\\*\\*x\\*\\* \\[a\\](b) \\<at\\>u\\</at\\> \\&lt; a\\\\b \\~s\\~ \\| \\#',
    )
    expect(escapeCardMarkdown('- item\n1. two\n 2026-03-01 1.5')).toBe('\\- item\n1\\. two\n 2026-03-01 1.5')
  })
})
