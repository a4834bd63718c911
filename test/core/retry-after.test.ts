import { describe, expect, it } from 'vitest'
import { classifySlackError } from '../../src/notify/slack-errors.js'
import { parseRetryAfter } from '../../src/retry-after.js'

describe('Retry-After', () => {
  const now = Date.parse('2026-11-23T12:00:00Z')

  it.each([
    ['3', 3000],
    [' 120 ', 120_000],
    ['1.5', 1500],
    ['0', 0],
    ['Mon, 23 Nov 2026 12:00:30 GMT', 30_000],
    ['Mon, 23 Nov 2026 11:59:00 GMT', 0], // a date in the past means now
    ['Monday, 23-Nov-26 12:01:00 GMT', 60_000], // RFC 850, obsolete but allowed
  ])('%j is %d ms', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected)
  })

  it.each([undefined, null, '', '  ', 'soon', '-5', '1e3'])('%j is unreadable', (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined()
  })

  it('a Slack webhook 429 carries its Retry-After, whole or decimal, into the delivery error', () => {
    const webhook429 = (retryAfter: string) =>
      classifySlackError({
        code: 'slack_webhook_http_error',
        statusCode: 429,
        headers: { 'retry-after': retryAfter },
      })
    expect(webhook429('2')).toMatchObject({ retryable: true, retryAfterMs: 2000 })
    expect(webhook429('0.25')).toMatchObject({ retryable: true, retryAfterMs: 250 })
    expect(webhook429('later')).toMatchObject({ retryable: true, retryAfterMs: undefined })
  })
})
