import { PassThrough } from 'node:stream'
import PinoPretty from 'pino-pretty'
import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/config.js'
import { insecureFindings, isLoopbackHost } from '../../src/daemon/insecure-warnings.js'
import { clipText, errorText, MAX_ERROR_TEXT } from '../../src/error-text.js'
import { prettyLine } from '../../src/log.js'
import { boundedEvent, MAX_STORED_EVENT, MAX_STORED_STRING } from '../../src/notify/bounded-event.js'
import { terminalSafe, terminalSafeDecodedJson, terminalSafeJson } from '../../src/terminal-text.js'

describe('bounded event copies', () => {
  it('keeps a small event as it is', () => {
    const event = { event_id: 'e1', event_type: 'lock.unlocked', nested: { a: [1, 2, 3] } }
    expect(boundedEvent(event)).toEqual({ event, trimmed: false })
  })

  it('cuts long strings, deep nesting and long lists, and keeps the ids whatever the size', () => {
    let deep: unknown = 'bottom'
    for (let i = 0; i < 100_000; i++) deep = { d: deep }
    const { event, trimmed } = boundedEvent({
      event_id: 'e1',
      event_type: 'lock.unlocked',
      long: 'y'.repeat(50_000),
      deep,
      list: Array.from({ length: 5000 }, (_, i) => i),
      many: Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${i}`, 'v'.repeat(1000)])),
    })
    expect(trimmed).toBe(true)
    expect(JSON.stringify(event).length).toBeLessThanOrEqual(MAX_STORED_EVENT)
    expect(event.event_id).toBe('e1')
    expect(event.event_type).toBe('lock.unlocked')
    expect(String(event.long)).toMatch(new RegExp(`^y{${MAX_STORED_STRING}}… \\(trimmed: 50000 chars\\)$`))
  })
})

describe('error texts', () => {
  it('are capped at 2 KB with a note, never inside a surrogate pair', () => {
    expect(errorText('e'.repeat(10_000)).length).toBeLessThanOrEqual(MAX_ERROR_TEXT + 30)
    expect(clipText(`${'a'.repeat(3)}😀`, 4)).toBe('aaa… (trimmed: 5 chars)')
  })
})

describe('terminal text', () => {
  it('strips C0 (but tab and newline), C1 and bidi overrides; keeps LRM/RLM and ordinary text', () => {
    expect(terminalSafe('a\u001b[31mb\u009bc\u202ed\u2067e\tf\ng\u200eé')).toBe('a[31mbcde\tf\ng\u200eé')
  })

  it('escapes them in JSON so it parses to the same value', () => {
    const json = terminalSafeJson(JSON.stringify({ v: 'x\u009by\u202e' }))
    expect(json).toBe('{"v":"x\\u009by\\u202e"}')
    expect(JSON.parse(json)).toEqual({ v: 'x\u009by\u202e' })
  })

  it('reach pino-pretty (a terminal log) as visible escapes, not as the characters; secrets scrubbed', async () => {
    const line = `${JSON.stringify({ level: 30, time: 0, msg: 'evt\u001b[2Jx\u009by\u202ez\ttab\\u001b', v: 'a\u0007b' })}\n`
    let printed = ''
    const sink = new PassThrough()
    sink.on('data', (chunk) => (printed += chunk))
    const pretty = PinoPretty({ colorize: false, destination: sink, sync: true })
    pretty.write(prettyLine(line))
    pretty.end()
    await new Promise((resolve) => setImmediate(resolve))
    expect(printed).toContain('evt\\u001b[2Jx\\u009by\\u202ez\ttab\\u001b')
    expect(printed).toContain('a\\u0007b')
    expect(terminalSafe(printed)).toBe(printed)
    // Escaped backslashes and escapes of harmless characters pass unchanged.
    expect(terminalSafeDecodedJson('{"a":"plain \\\\ text \\u00e9"}')).toBe('{"a":"plain \\\\ text \\u00e9"}')
  })
})

describe('insecure setups', () => {
  const config = (raw: Record<string, unknown>) => parseConfig(raw, 'config.json', {})

  it('knows loopback hosts', () => {
    for (const host of ['localhost', 'api.localhost', '127.0.0.1', '127.1.2.3', '[::1]'])
      expect(isLoopbackHost(host)).toBe(true)
    for (const host of ['0.0.0.0', '10.0.0.1', 'seam.example.com', '[::]'])
      expect(isLoopbackHost(host)).toBe(false)
  })

  it('flags plain http to a remote Seam or Slack, insecure SMTP auth and unverified TLS; not https or loopback', () => {
    expect(insecureFindings(config({ seam: { endpoint: 'https://connect.getseam.com' } }))).toEqual([])
    expect(insecureFindings(config({ seam: { endpoint: 'http://127.0.0.1:8080' } }))).toEqual([])
    const found = insecureFindings(
      config({
        seam: { endpoint: 'http://seam.internal' },
        slack: { token: 'xoxb-1234', apiUrl: 'http://proxy.internal/api/' },
        email: {
          smtp: {
            host: 'mail.internal',
            auth: { user: 'u', pass: 'p4ssword' },
            allowInsecureAuth: true,
            tls: { rejectUnauthorized: false },
          },
        },
      }),
    )
    expect(found.map((f) => f.check)).toEqual([
      'plain-http',
      'plain-http',
      'smtp-insecure-auth',
      'smtp-unverified-tls',
    ])
    expect(JSON.stringify(found)).not.toContain('p4ssword')
  })

  it('flags a literal secret only in a file readable by others; ${VAR} references are fine', () => {
    const parsed = config({})
    const literal = { seam: { apiKey: 'seam_literal_key' } }
    const reference = { seam: { apiKey: '${SEAM_API_KEY}' } }
    const check = (raw: unknown, mode: number) =>
      insecureFindings(parsed, { path: '/etc/seam/config.json', raw, mode }).map((f) => f.check)
    expect(check(literal, 0o100644)).toEqual(['config-file-mode'])
    expect(check(literal, 0o100640)).toEqual(['config-file-mode'])
    expect(check(literal, 0o100600)).toEqual([])
    expect(check(reference, 0o100644)).toEqual([])
  })
})
