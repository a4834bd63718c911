import { afterEach, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/config.js'
import { EmailNotifier, type SmtpOptions } from '../../src/notify/email.js'
import { enqueueDecisions } from '../../src/notify/outbox.js'
import type { Action } from '../../src/rules/action-schema.js'
import { openState } from '../helpers/fixtures.js'
import { decision, makeWorker, type SmtpStandIn, startSmtp } from './helpers.js'

const PASSWORD = 'smtp-Pa55word-never-in-clear'
let smtp: SmtpStandIn | undefined
let notifier: EmailNotifier | undefined
afterEach(async () => {
  notifier?.close()
  await smtp?.close()
  smtp = undefined
})

const lookup = () => ({ actions: [{ type: 'email', to: ['oncall@example.com'] }] as Action[] })

/** `email.smtp` as a user writes it, through the real config schema. */
function smtpConfig(port: number, extra: Record<string, unknown> = {}): SmtpOptions {
  const config = parseConfig(
    {
      seam: { apiKey: 'seam_test_key' },
      email: {
        from: 'alerts@example.com',
        smtp: { host: '127.0.0.1', port, auth: { user: 'alerts', pass: PASSWORD }, ...extra },
      },
    },
    'config.json',
    {},
  )
  return config.email.smtp!
}

async function sendOne(smtpOptions: SmtpOptions) {
  notifier = new EmailNotifier({ smtp: smtpOptions, from: 'alerts@example.com' })
  const state = await openState()
  await state.update((d) => enqueueDecisions(d, [decision()], lookup, 1))
  const outcomes: Array<{ outcome: string; id: string; error?: string }> = []
  const { worker } = makeWorker({ state, notifiers: { email: notifier }, outcomes })
  await worker.drain(10_000)
  return { state: state.current(), outcomes }
}

describe('the SMTP password is never sent unencrypted by default', () => {
  it('refuses a server without STARTTLS: no AUTH is sent, the alert is dead-lettered with what to do', async () => {
    smtp = await startSmtp(undefined, { auth: true, starttls: false })
    const { state, outcomes } = await sendOne(smtpConfig(smtp.port))
    expect(smtp.logins).toEqual([])
    expect(smtp.messages).toHaveLength(0)
    // Permanent: a retry cannot fix a server without STARTTLS; the dead letter says how to fix the setup.
    expect(outcomes).toHaveLength(1)
    expect(outcomes[0]?.outcome).toBe('dead')
    const dead = state.deadLetters[0]
    expect(dead?.reason).toContain('does not offer STARTTLS')
    expect(dead?.reason).toContain('"secure": true')
    expect(dead?.reason).toContain('allowInsecureAuth')
    expect(JSON.stringify(state)).not.toContain(PASSWORD)
  })

  it('sends the login in clear only with an explicit allowInsecureAuth', async () => {
    smtp = await startSmtp(undefined, { auth: true, starttls: false })
    const { state } = await sendOne(smtpConfig(smtp.port, { allowInsecureAuth: true }))
    expect(smtp.logins).toEqual([{ username: 'alerts', password: PASSWORD, secure: false }])
    expect(smtp.messages).toHaveLength(1)
    expect(state.sent).toHaveLength(1)
  })

  it('logs in over STARTTLS with requireTLS and a self-signed certificate accepted by tls.rejectUnauthorized', async () => {
    smtp = await startSmtp(undefined, { auth: true, starttls: true })
    const { state } = await sendOne(
      smtpConfig(smtp.port, { requireTLS: true, tls: { rejectUnauthorized: false } }),
    )
    expect(smtp.logins).toEqual([{ username: 'alerts', password: PASSWORD, secure: true }])
    expect(smtp.messages).toHaveLength(1)
    expect(state.sent).toHaveLength(1)
  })

  it('with verified certificates (the default), a self-signed one fails the handshake: retryable, with a hint', async () => {
    smtp = await startSmtp(undefined, { auth: true, starttls: true })
    const { outcomes } = await sendOne(smtpConfig(smtp.port))
    expect(smtp.logins).toEqual([])
    expect(outcomes[0]?.outcome).toBe('retry')
    expect(outcomes[0]?.error).toContain('email.smtp.tls.ca')
  })
})

describe('email.smtp TLS keys', () => {
  const parse = (smtp: Record<string, unknown>) => () =>
    parseConfig({ email: { smtp: { host: 'mail.example.com', ...smtp } } }, 'config.json', {})

  it('rejects requireTLS: false with a login unless allowInsecureAuth is set', () => {
    expect(parse({ auth: { user: 'u', pass: 'p4ssword' }, requireTLS: false })).toThrow(
      /config\.json: \$\.email\.smtp\.requireTLS: false with "auth"/,
    )
    expect(
      parse({ auth: { user: 'u', pass: 'p4ssword' }, requireTLS: false, allowInsecureAuth: true }),
    ).not.toThrow()
  })

  it('accepts only the documented tls subset (no key or passphrase)', () => {
    expect(parse({ tls: { key: 'x' } })).toThrow(/\$\.email\.smtp\.tls/)
    expect(parse({ tls: { minVersion: 'TLSv1' } })).toThrow(/\$\.email\.smtp\.tls\.minVersion/)
    expect(
      parse({
        tls: { rejectUnauthorized: true, servername: 'mail.example.com', minVersion: 'TLSv1.3', ca: 'PEM' },
      }),
    ).not.toThrow()
  })
})
