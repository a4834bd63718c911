import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { ConsoleNotifier } from '../../src/notify/console.js'
import { EmailNotifier, type MailTransport } from '../../src/notify/email.js'
import { escapeMrkdwn } from '../../src/notify/escape.js'
import { formatDuration } from '../../src/notify/format.js'
import { buildAlertContent } from '../../src/notify/message.js'
import type { AlertMessage } from '../../src/notify/notifier.js'
import { renderHtml } from '../../src/notify/render-html.js'
import { renderSlack } from '../../src/notify/render-slack.js'
import { renderText } from '../../src/notify/render-text.js'
import { renderTemplate } from '../../src/notify/template.js'
import type { Action } from '../../src/rules/action-schema.js'
import { decision } from './helpers.js'

const EVIL = {
  mention: '<!channel>',
  link: '<https://evil.example|click>',
  html: '<img src=x onerror=alert(1)><b>bold</b>',
  header: 'Door\r\nBcc: x@y.example',
}

function message(action: Action, over: Partial<AlertMessage> = {}): AlertMessage {
  const d = decision()
  d.event = { ...d.event, ...EVIL }
  return {
    id: 'battery-low:fire:evt_1:0',
    decision: d,
    action,
    rule: { id: 'battery-low', severity: 'warning' },
    deviceName: EVIL.header,
    timezone: 'America/New_York',
    ...over,
  }
}

const templated = {
  title: '{{device.name}} {{event.mention}} {{event.header}}',
  text: 'Battery {{event.battery_level}} on {{group.device_id}} ({{rule.id}}), link {{event.link}}, html {{event.html}}, count {{count}}, suppressed {{suppressed}}, missing [{{event.nope}}] [{{nope.deeper}}]',
}

describe('templates', () => {
  it('fills placeholders, renders missing fields as empty, escapes values only', () => {
    const out = renderTemplate(
      '*{{a}}* {{b.c}} [{{missing}}] {{n}} {{obj}}',
      { a: '<x>', b: { c: 'd&e' }, n: 0, obj: { k: 1 } },
      escapeMrkdwn,
    )
    expect(out).toBe('*&lt;x&gt;* d&amp;e [] 0 {"k":1}')
  })
})

describe('injection renders inert', () => {
  it('Slack mrkdwn: no mention, no link, values escaped', () => {
    const content = buildAlertContent(message({ type: 'slack', channel: '#x', ...templated }))
    const payload = renderSlack(content)
    const all = JSON.stringify(payload)
    expect(all).not.toContain('<!channel>')
    expect(all).not.toContain('<https://evil')
    expect(all).not.toContain('<img')
    expect(all).toContain('&lt;!channel&gt;')
    expect(all).toContain('&lt;https://evil.example|click&gt;')
    expect(all).not.toContain('undefined')
    expect(payload.text).toContain('&lt;!channel&gt;')
    expect(all).toContain('count 1, suppressed 0, missing [] []')
  })

  it('email: HTML escaped, headers carry no CR/LF, no Bcc added', async () => {
    const mails: Array<Record<string, unknown>> = []
    const transport: MailTransport = {
      sendMail: async (mail) => {
        mails.push(mail)
        return {}
      },
    }
    const notifier = new EmailNotifier({ transport, from: 'alerts@example.com\r\nBcc: z@y' })
    await notifier.send(message({ type: 'email', to: ['a@example.com'], ...templated }))
    const [mail] = mails
    expect(mail?.subject).not.toMatch(/[\r\n]/)
    expect(mail?.from).not.toMatch(/[\r\n]/)
    expect(mail?.bcc).toBeUndefined()
    expect(JSON.stringify(mail?.headers)).not.toMatch(/\\r|\\n/)
    const html = String(mail?.html)
    expect(html).not.toContain('<img')
    expect(html).not.toContain('<b>bold')
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;')
    expect(html).toContain('&lt;!channel&gt;')
    expect(html).not.toContain('undefined')
  })

  it('email: the raw MIME message has exactly the intended headers', async () => {
    const nodemailer = (await import('nodemailer')).default
    const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' })
    let raw = ''
    const notifier = new EmailNotifier({
      transport: {
        sendMail: async (mail) => {
          const info = (await transport.sendMail(mail)) as { message: Buffer }
          raw = info.message.toString('utf8')
          return {}
        },
      },
      from: 'alerts@example.com',
    })
    await notifier.send(message({ type: 'email', to: ['a@example.com'], ...templated }))
    const headerBlock = raw.split('\n\n')[0] ?? ''
    expect(headerBlock).not.toMatch(/^Bcc:/im)
    expect(headerBlock).toMatch(/^Subject: /m)
  })

  it('console and plain text strip terminal control characters', async () => {
    const stream = new PassThrough()
    const chunks: string[] = []
    stream.on('data', (c: Buffer) => chunks.push(c.toString()))
    const msg = message({ type: 'console' })
    msg.decision.event.ansi = '\u001b[31mred\u001b[0m'
    await new ConsoleNotifier({ stream }).send(msg)
    const out = chunks.join('')
    expect(out).not.toContain('\u001b')
    expect(out).toContain('[31mred')
    expect(out).toContain('rule battery-low · event_id evt_1')
  })
})

describe('content', () => {
  it('the same facts appear in Block Kit, text and HTML; rollups list every event_id', () => {
    const fires = Array.from({ length: 12 }, (_, i) =>
      decision({ event_id: `evt_${i}`, group: { device_id: `dev_${i}` } }),
    )
    const content = buildAlertContent(
      message({ type: 'console' }, { rollup: fires, decision: fires[0]!, deviceName: undefined }),
    )
    const renderings = [JSON.stringify(renderSlack(content)), renderText(content), renderHtml(content)]
    for (const text of renderings) {
      for (const d of fires) expect(text).toContain(d.event_id)
      expect(text).toContain('12 alerts rolled up')
      expect(text).toContain('2026-03-01 07:00:00') // America/New_York
    }
  })

  it('formats durations', () => {
    expect(formatDuration(45_000)).toBe('45s')
    expect(formatDuration(2 * 3_600_000 + 5 * 60_000 + 7000)).toBe('2h 5m')
    expect(formatDuration(3 * 86_400_000 + 60_000)).toBe('3d')
    expect(formatDuration(0)).toBe('0s')
  })
})

describe('key facts', () => {
  it('leave out empty strings and fields already shown as group keys', () => {
    const d = decision()
    d.group = { ...d.group, access_code_id: 'ac_1' }
    d.event = { ...d.event, event_description: '', access_code_id: 'ac_1', battery_level: 0.1 }
    const content = buildAlertContent({
      id: 'x:fire:evt_1:0',
      decision: d,
      action: { type: 'console' },
      rule: { id: 'x' },
      timezone: 'UTC',
    })
    const labels = content.facts.map(([label]) => label)
    expect(labels).toContain('battery_level')
    expect(labels).not.toContain('event_description')
    expect(labels).not.toContain('access_code_id')
  })
})
