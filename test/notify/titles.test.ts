import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { EmailNotifier } from '../../src/notify/email.js'
import { buildAlertContent } from '../../src/notify/message.js'
import type { AlertMessage } from '../../src/notify/notifier.js'
import { renderHtml } from '../../src/notify/render-html.js'
import { renderSlack } from '../../src/notify/render-slack.js'
import { renderText } from '../../src/notify/render-text.js'
import { decision } from './helpers.js'

function resolveMessage(over: Partial<AlertMessage> = {}): AlertMessage {
  return {
    id: 'account:resolve:evt_2:0',
    decision: decision({ kind: 'resolve', event_id: 'evt_2', firedAt: '2026-03-01T11:00:00.000Z' }),
    action: { type: 'console' },
    rule: { id: 'account', description: 'Connected account disconnected', severity: 'critical' },
    deviceName: 'Lobby Thermostat',
    timezone: 'UTC',
    ...over,
  }
}

const count = (text: string, word: RegExp) => text.match(word)?.length ?? 0

describe('alert titles', () => {
  it('a resolve says "resolved" once in every rendering (text, HTML, Slack fallback, email subject)', async () => {
    const content = buildAlertContent(resolveMessage())
    const text = renderText(content)
    expect(text.split('\n')[0]).toBe('[RESOLVED] Lobby Thermostat: Connected account disconnected')
    const html = renderHtml(content)
    expect(count(html.match(/<h2[^>]*>.*<\/h2>/)?.[0] ?? '', /resolved/gi)).toBe(1)
    expect(count(renderSlack(content).text, /resolved/gi)).toBe(1)
    let subject = ''
    const notifier = new EmailNotifier({
      transport: {
        sendMail: async (mail) => {
          subject = String(mail.subject)
          return {}
        },
      },
      from: 'alerts@example.com',
    })
    await notifier.send(resolveMessage({ action: { type: 'email', to: ['a@example.com'] } }))
    expect(subject).toBe('[RESOLVED] Lobby Thermostat: Connected account disconnected')
  })

  it('a resolved rollup does not repeat "resolved" either', () => {
    const resolves = [1, 2].map((i) => decision({ kind: 'resolve', event_id: `evt_${i}` }))
    const content = buildAlertContent(resolveMessage({ decision: resolves[0]!, rollup: resolves }))
    const first = renderText(content).split('\n')[0] ?? ''
    expect(first).toBe('[RESOLVED] Connected account disconnected: 2 incidents rolled up')
  })

  it('a fire title is the device name and the description', () => {
    const content = buildAlertContent(
      resolveMessage({ decision: decision(), rule: { id: 'low', description: 'Low battery (20% or less)' } }),
    )
    expect(content.title((s) => s)).toBe('Lobby Thermostat: Low battery (20% or less)')
  })

  it('the shipped rules have short, title-like descriptions (no "resolves when…", no trailing period)', () => {
    const dir = path.resolve('rules')
    const files = readdirSync(dir).filter((name) => name.endsWith('.json') && name !== 'schema.json')
    expect(files.length).toBeGreaterThan(0)
    for (const name of files) {
      const rule = JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as { description?: string }
      const description = rule.description ?? ''
      expect(description, name).not.toBe('')
      expect(description.length, name).toBeLessThanOrEqual(50)
      expect(description, name).not.toMatch(/resolve|\.$/i)
    }
  })
})
