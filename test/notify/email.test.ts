import { afterEach, describe, expect, it } from 'vitest'
import { EmailNotifier, messageIdFor } from '../../src/notify/email.js'
import { enqueueDecisions } from '../../src/notify/outbox.js'
import type { Action } from '../../src/rules/action-schema.js'
import { requeueDeadLetters } from '../../src/state/dead-letters.js'
import { openState } from '../helpers/fixtures.js'
import { decision, makeWorker, type SmtpStandIn, startSmtp } from './helpers.js'

let smtp: SmtpStandIn | undefined
let notifier: EmailNotifier | undefined
afterEach(async () => {
  notifier?.close()
  await smtp?.close()
  smtp = undefined
})

const emailTo: Action[] = [{ type: 'email', to: ['oncall@example.com'], cc: ['lead@example.com'] }]
const lookup = () => ({ actions: emailTo })
const makeNotifier = (port: number) =>
  new EmailNotifier({ smtp: { host: '127.0.0.1', port, secure: false }, from: 'alerts@example.com' })

describe('email over SMTP', () => {
  it('sends subject, text and HTML with a stable Message-ID, and threads the resolve', async () => {
    smtp = await startSmtp()
    notifier = makeNotifier(smtp.port)
    const state = await openState()
    await state.update((d) => enqueueDecisions(d, [decision()], lookup, 1))
    const { worker } = makeWorker({
      state,
      notifiers: { email: notifier },
      deviceName: async () => 'Front Door',
    })
    await worker.drain(10_000)
    const [fire] = smtp.messages
    expect(fire?.subject).toBe('[CRITICAL] Front Door: Rule battery-low')
    expect(fire?.messageId).toBe(messageIdFor('battery-low:fire:evt_1:0'))
    expect(fire?.messageId).toMatch(/^<[A-Za-z0-9_=-]+@seam-alerts>$/)
    for (const body of [fire?.text, fire?.html as string]) {
      expect(body).toContain('evt_1')
      expect(body).toContain('battery-low')
      expect(body).toContain('Front Door')
      expect(body).toContain('2026-03-01 13:00:00')
      expect(body).toContain('battery_level')
    }
    expect(fire?.inReplyTo).toBeUndefined()
    expect(state.current().sent[0]?.ref).toBe(fire?.messageId)

    const resolve = decision({
      kind: 'resolve',
      event_id: 'evt_9',
      at: '2026-03-01T12:45:30.000Z',
      firedAt: '2026-03-01T12:00:00.000Z',
    })
    await state.update((d) => enqueueDecisions(d, [resolve], lookup, 2))
    await worker.drain(10_000)
    const reply = smtp.messages[1]
    expect(reply?.subject).toContain('[RESOLVED]')
    expect(reply?.inReplyTo).toBe(fire?.messageId)
    expect([reply?.references].flat()).toContain(fire?.messageId)
    expect(reply?.text).toContain('45m 30s')
    expect(reply?.messageId).not.toBe(fire?.messageId)
  })

  it('retries a 451 and then delivers; dead-letters a 550 without retrying', async () => {
    const codes = [451, undefined, 550]
    smtp = await startSmtp((nth) => codes[nth - 1])
    notifier = makeNotifier(smtp.port)
    const state = await openState()
    const lookup = () => ({ actions: [{ type: 'email', to: ['oncall@example.com'] }] as Action[] })
    await state.update((d) => enqueueDecisions(d, [decision()], lookup, 1))
    const outcomes: Array<{ outcome: string; id: string; error?: string }> = []
    const { worker } = makeWorker({ state, notifiers: { email: notifier }, outcomes })
    await worker.drain(60_000)
    expect(outcomes.map((o) => o.outcome)).toEqual(['retry', 'sent'])
    expect(outcomes[0]?.error).toContain('451')
    expect(smtp.messages).toHaveLength(1)

    await state.update((d) => enqueueDecisions(d, [decision({ event_id: 'evt_2' })], lookup, 2))
    await worker.drain(60_000)
    expect(outcomes.map((o) => o.outcome)).toEqual(['retry', 'sent', 'dead'])
    const dead = state.current().deadLetters
    expect(dead).toHaveLength(1)
    expect(dead[0]?.reason).toContain('550')
    expect(dead[0]?.attempts).toBe(1)
    expect(smtp.messages).toHaveLength(1)
  })

  it('a recipient refused while the others are accepted: sent, and a copy for that one dead-lettered and retried alone', async () => {
    smtp = await startSmtp((nth) => (nth === 2 ? 550 : undefined)) // RCPT TO order: to[0], to[1], cc[0]
    notifier = makeNotifier(smtp.port)
    const state = await openState()
    const partial = () => ({
      actions: [
        { type: 'email', to: ['oncall@example.com', 'gone@example.com'], cc: ['lead@example.com'] },
      ] as Action[],
    })
    await state.update((d) => enqueueDecisions(d, [decision()], partial, 1))
    const outcomes: Array<{ outcome: string; id: string; error?: string }> = []
    const { worker, clock } = makeWorker({ state, notifiers: { email: notifier }, outcomes })
    await worker.drain(60_000)
    expect(outcomes.map((o) => o.outcome)).toEqual(['sent'])
    expect(smtp.messages).toHaveLength(1)
    expect(state.current().outbox).toEqual([])
    const [dead, more] = state.current().deadLetters
    expect(more).toBeUndefined()
    expect(dead).toMatchObject({
      action: { type: 'email', to: ['gone@example.com'] },
      target: 'email:gone@example.com',
    })
    expect(dead?.action.cc).toBeUndefined()
    expect(dead?.reason).toMatch(/refused gone@example\.com: .*550/)

    // After the address is fixed on the server's side, `state dead-letters --retry` sends it to that one only.
    await state.update((d) => requeueDeadLetters(d, clock.now()))
    await worker.drain(60_000)
    expect(smtp.messages).toHaveLength(2)
    const retried = smtp.messages[1]!
    expect([retried.to].flat().map((to) => to?.text)).toEqual(['gone@example.com'])
    expect(retried.cc).toBeUndefined()
    expect(state.current().deadLetters).toEqual([])
  })

  it('treats a refused connection as retryable', async () => {
    smtp = await startSmtp()
    const port = smtp.port
    await smtp.close()
    smtp = undefined
    notifier = makeNotifier(port)
    const state = await openState()
    await state.update((d) => enqueueDecisions(d, [decision()], lookup, 1))
    const { worker } = makeWorker({ state, notifiers: { email: notifier }, delivery: { maxAttempts: 2 } })
    await worker.drain(60_000)
    const [dead] = state.current().deadLetters
    expect(dead?.attempts).toBe(2)
    expect(dead?.reason).toContain('gave up after 2 attempts')
  })
})
