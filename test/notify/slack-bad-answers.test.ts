import { afterEach, describe, expect, it } from 'vitest'
import { MAX_ERROR_TEXT } from '../../src/error-text.js'
import { silentLogger } from '../../src/log.js'
import { enqueueDecisions } from '../../src/notify/outbox.js'
import { SlackNotifier } from '../../src/notify/slack.js'
import { SlackWebhookNotifier } from '../../src/notify/slack-webhook.js'
import type { Action } from '../../src/rules/action-schema.js'
import { openState } from '../helpers/fixtures.js'
import { decision, makeWorker, type SlackReply, startSlackStandIn } from './helpers.js'

type StandIn = Awaited<ReturnType<typeof startSlackStandIn>>
let standIn: StandIn | undefined
afterEach(async () => {
  await standIn?.close()
  standIn = undefined
})

const PORTAL = '<!DOCTYPE html><html><head><title>Hotel Wi-Fi</title></head><body>Please log in</body></html>'
/** An HTML page of about `bytes` bytes (a proxy's error page, a hostile server). */
const bigPage = (bytes: number) => `<html><body>${'x'.repeat(bytes)}</body></html>`

/** Send one alert through the real channel against the stand-in, first answering `first`, then as Slack does. */
async function sendThrough(kind: 'bot' | 'webhook', first: SlackReply) {
  standIn = await startSlackStandIn((_call, nth) =>
    nth === 1 ? first : kind === 'webhook' ? { body: 'ok' } : undefined,
  )
  const state = await openState()
  const action: Action =
    kind === 'bot'
      ? { type: 'slack', channel: '#ops' }
      : { type: 'slack', webhookUrl: `${standIn.url}/services/T/B/x` }
  await state.update((d) => enqueueDecisions(d, [decision()], () => ({ actions: [action] }), 1))
  const outcomes: Array<{ outcome: string; id: string; error?: string }> = []
  const notifiers =
    kind === 'bot'
      ? {
          slack: new SlackNotifier({
            token: 'xoxb-test-token',
            apiUrl: standIn.apiUrl,
            logger: silentLogger,
          }),
        }
      : { 'slack-webhook': new SlackWebhookNotifier() }
  const { worker } = makeWorker({ state, notifiers, outcomes, actions: { 'rule:battery-low#0': action } })
  await worker.drain(5000)
  return { outcomes, state: state.current() }
}

describe('Slack answered 200 with something that is not Slack (a proxy, a captive portal)', () => {
  for (const kind of ['bot', 'webhook'] as const) {
    it(`${kind}: an HTML page is retried, not dead-lettered, and the alert goes out on the next try`, async () => {
      const { outcomes, state } = await sendThrough(kind, { raw: PORTAL })
      expect(outcomes.map((o) => o.outcome)).toEqual(['retry', 'sent'])
      expect(outcomes[0]?.error).toContain('an HTML page')
      expect(outcomes[0]?.error).toContain('captive portal')
      expect(state.deadLetters).toHaveLength(0)
      expect(state.sent).toHaveLength(1)
    })
  }

  it('bot: a 200 that is not JSON at all (truncated, plain text) is retried too', async () => {
    const { outcomes } = await sendThrough('bot', { raw: '{"ok": tru', contentType: 'application/json' })
    expect(outcomes.map((o) => o.outcome)).toEqual(['retry', 'sent'])
  })
})

describe('response bodies and error texts are bounded', () => {
  for (const kind of ['bot', 'webhook'] as const) {
    it(`${kind}: a 600 KB HTML page becomes an error text of at most 2 KB`, async () => {
      const { outcomes } = await sendThrough(kind, { raw: bigPage(600_000) })
      expect(outcomes[0]?.outcome).toBe('retry')
      expect(outcomes[0]?.error?.length).toBeLessThanOrEqual(MAX_ERROR_TEXT + 40)
    })

    it(`${kind}: a 5 MB body is not read past 1 MB; the send is retried`, async () => {
      const { outcomes, state } = await sendThrough(kind, { raw: bigPage(5_000_000) })
      expect(outcomes.map((o) => o.outcome)).toEqual(['retry', 'sent'])
      expect(outcomes[0]?.error).toContain('over 1 MB')
      expect(JSON.stringify(state).length).toBeLessThan(20_000)
    })
  }

  it('bot: a 5 MB error page with HTTP 500 is capped as well', async () => {
    const { outcomes } = await sendThrough('bot', { status: 500, raw: bigPage(5_000_000) })
    expect(outcomes[0]?.outcome).toBe('retry')
    expect(outcomes[0]?.error?.length).toBeLessThanOrEqual(MAX_ERROR_TEXT + 40)
  })
})
