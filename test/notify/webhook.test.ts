import { createHmac, timingSafeEqual } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { enqueueDecisions } from '../../src/notify/outbox.js'
import { TeamsNotifier } from '../../src/notify/teams.js'
import { WebhookNotifier } from '../../src/notify/webhook.js'
import { webhookBodySchema } from '../../src/notify/webhook-body.js'
import type { Action } from '../../src/rules/action-schema.js'
import { openState, T0 } from '../helpers/fixtures.js'
import { type HttpStandIn, startHttpStandIn } from '../helpers/http-stand-in.js'
import { decision, makeWorker } from './helpers.js'

const SECRET = 'whsec-test-0123456789'
let hook: HttpStandIn | undefined
afterEach(async () => {
  await hook?.close()
  hook = undefined
})

/** What a receiver does (docs/webhook.md): recompute the HMAC over "<timestamp>.<raw body>", compare in constant time. */
function verify(raw: string, timestamp: string, signature: string, secret: string): boolean {
  const expected = `v1=${createHmac('sha256', secret).update(`${timestamp}.${raw}`).digest('hex')}`
  return (
    expected.length === signature.length && timingSafeEqual(Buffer.from(expected), Buffer.from(signature))
  )
}

const HOSTILE = '<!channel> <script>alert(1)</script> **bold** [x](https://evil) &amp; "q"'

describe('signed webhook', () => {
  it('POSTs the versioned JSON body, signed with the secret, with the custom headers', async () => {
    hook = await startHttpStandIn(undefined, { status: 204 })
    const url = `${hook.url}/hooks/audit?token=abc123`
    const action: Action = {
      type: 'webhook',
      url,
      secret: SECRET,
      headers: { Authorization: 'Bearer sekrit-token' },
    }
    const fire = decision({
      rule: 'access-code-audit',
      event_id: 'evt_1',
      eventIds: ['evt_0', 'evt_1'],
      count: 2,
      suppressed: 1,
      event: {
        event_id: 'evt_1',
        event_type: 'access_code.created',
        created_at: '2026-03-01T12:00:00.000Z',
        occurred_at: '2026-03-01T12:00:00.000Z',
        device_id: 'dev_1',
        access_code_id: 'ac_1',
        name: HOSTILE,
      },
    })
    const state = await openState()
    await state.update((d) => enqueueDecisions(d, [fire], () => ({ actions: [action] }), T0))
    const { worker } = makeWorker({
      state,
      notifiers: { webhook: new WebhookNotifier(() => T0) },
      actions: { 'rule:access-code-audit#0': action },
      deviceName: async () => 'Lobby <i>door</i>',
    })
    await worker.drain(10_000)
    expect(hook.calls).toHaveLength(1)
    const call = hook.calls[0]!
    expect([call.method, call.path, call.headers['content-type']]).toEqual([
      'POST',
      '/hooks/audit?token=abc123',
      'application/json',
    ])
    expect(call.headers.authorization).toBe('Bearer sekrit-token')
    expect(call.headers['x-seam-alerts-id']).toBe('access-code-audit:fire:evt_1:0')
    const timestamp = String(Math.floor(T0 / 1000))
    expect(call.headers['x-seam-alerts-timestamp']).toBe(timestamp)
    expect(call.headers['x-seam-alerts-signature']).toMatch(/^v1=[0-9a-f]{64}$/)
    expect(verify(call.raw, timestamp, String(call.headers['x-seam-alerts-signature']), SECRET)).toBe(true)
    expect(verify(call.raw, timestamp, String(call.headers['x-seam-alerts-signature']), 'wrong')).toBe(false)
    expect(verify(`${call.raw} `, timestamp, String(call.headers['x-seam-alerts-signature']), SECRET)).toBe(
      false,
    )
    const body = call.json as Record<string, unknown>
    expect(Object.keys(body)).toEqual([
      'version',
      'rule',
      'kind',
      'severity',
      'title',
      'text',
      'group',
      'labels',
      'event_id',
      'event',
      'at',
      'count',
      'suppressed',
      'eventIds',
    ])
    expect(body).toMatchObject({
      version: '1',
      rule: 'access-code-audit',
      kind: 'fire',
      severity: 'critical',
      title: 'Lobby <i>door</i>: Rule access-code-audit',
      group: { device_id: 'dev_1' },
      labels: {
        device_id: 'dev_1',
        access_code_id: 'ac_1',
        rule: 'access-code-audit',
        kind: 'fire',
        severity: 'critical',
        event_type: 'access_code.created',
        device_name: 'Lobby <i>door</i>',
      },
      event_id: 'evt_1',
      at: '2026-03-01T12:00:00.000Z',
      count: 2,
      suppressed: 1,
      eventIds: ['evt_0', 'evt_1'],
    })
    // Hostile text arrives verbatim as a JSON string (the receiver escapes it for its own output).
    expect((body.event as Record<string, unknown>).name).toBe(HOSTILE)
    expect(String(body.text)).toContain(HOSTILE)
    expect(webhookBodySchema.safeParse(body).success).toBe(true)
    // URL, secret and headers never reach the state.
    const saved = JSON.stringify(state.current())
    for (const secret of [url, 'abc123', SECRET, 'sekrit-token']) expect(saved).not.toContain(secret)
    expect(state.current().sent).toHaveLength(1)
  })

  it('rolls a storm up into one body with one entry per alert; event_id of a resolve is the resolving event', async () => {
    hook = await startHttpStandIn(undefined, { status: 200 })
    const action: Action = { type: 'webhook', url: hook.url }
    const fires = Array.from({ length: 11 }, (_, i) =>
      decision({ event_id: `evt_${i}`, group: { device_id: `dev_${i}` } }),
    )
    const state = await openState()
    await state.update((d) => enqueueDecisions(d, fires, () => ({ actions: [action] }), T0))
    const { worker } = makeWorker({
      state,
      notifiers: { webhook: new WebhookNotifier() },
      actions: { 'rule:battery-low#0': action },
      delivery: { rollupAbove: 10 },
    })
    await worker.drain(10_000)
    expect(hook.calls).toHaveLength(1)
    const body = hook.calls[0]?.json as { alerts: Array<{ event_id: string }>; title: string }
    expect(webhookBodySchema.safeParse(body).success).toBe(true)
    expect(body.title).toBe('Rule battery-low: 11 alerts rolled up')
    expect(body.alerts.map((a) => a.event_id)).toEqual(fires.map((f) => f.event_id))
    expect(hook.calls[0]?.headers['x-seam-alerts-signature']).toBeUndefined()

    const resolve = decision({ kind: 'resolve', event_id: 'evt_resolving', firedEventId: 'evt_0' })
    await state.update((d) => enqueueDecisions(d, [resolve], () => ({ actions: [action] }), T0 + 1))
    await worker.drain(10_000)
    expect(hook.calls[1]?.json).toMatchObject({ kind: 'resolve', event_id: 'evt_resolving' })
  })

  it('retries 408, 429 (after Retry-After) and 5xx; dead-letters other 4xx and redirects without following them', async () => {
    const replies = [
      { status: 408 },
      { status: 429, headers: { 'retry-after': '30' } },
      { status: 502 },
      { status: 202 },
    ]
    hook = await startHttpStandIn((_call, nth) => replies[nth - 1])
    const action: Action = { type: 'webhook', url: hook.url }
    const state = await openState()
    await state.update((d) => enqueueDecisions(d, [decision()], () => ({ actions: [action] }), T0))
    const outcomes: Array<{ outcome: string; id: string; error?: string }> = []
    const { worker, clock } = makeWorker({
      state,
      notifiers: { webhook: new WebhookNotifier() },
      actions: { 'rule:battery-low#0': action },
      outcomes,
    })
    await worker.drain(600_000)
    expect(outcomes.map((o) => [o.outcome, o.error])).toEqual([
      ['retry', 'webhook: HTTP 408'],
      ['retry', 'webhook: HTTP 429'],
      ['retry', 'webhook: HTTP 502'],
      ['sent', undefined],
    ])
    expect(clock.now() - T0).toBeGreaterThanOrEqual(30_000)

    for (const [reply, reason] of [
      [{ status: 404, body: 'no such hook' }, 'webhook: HTTP 404 no such hook'],
      [
        { status: 302, headers: { location: 'http://127.0.0.1:1/elsewhere' } },
        'webhook: HTTP 302 redirect (redirects are not followed)',
      ],
    ] as const) {
      const other = await startHttpStandIn(() => reply)
      try {
        const notifier = new WebhookNotifier()
        const message = {
          id: 'm',
          decision: decision(),
          action: { type: 'webhook', url: other.url } as Action,
          rule: { id: 'r' },
          timezone: 'UTC',
        }
        const error = await notifier.send(message, AbortSignal.timeout(5000)).catch((e: unknown) => e)
        expect(error).toMatchObject({ message: reason, retryable: false })
        expect(other.calls).toHaveLength(1)
      } finally {
        await other.close()
      }
    }
  })

  it('a connection refused is retryable and never names the URL', async () => {
    const notifier = new WebhookNotifier()
    const url = 'http://127.0.0.1:9/secret-path-xyz'
    const message = {
      id: 'm',
      decision: decision(),
      action: { type: 'webhook', url } as Action,
      rule: { id: 'r' },
      timezone: 'UTC',
    }
    const error = (await notifier
      .send(message, AbortSignal.timeout(5000))
      .catch((e: unknown) => e)) as Error & {
      retryable: boolean
    }
    expect(error.retryable).toBe(true)
    expect(error.message).toMatch(/^webhook: request failed \(/)
    expect(error.message).not.toContain('secret-path-xyz')
  })
})

describe('Teams notifier transport', () => {
  it('retries 429 and dead-letters 400', async () => {
    hook = await startHttpStandIn((_c, nth) =>
      nth === 1 ? { status: 429 } : { status: 400, body: 'bad card' },
    )
    const action: Action = { type: 'teams', webhookUrl: `${hook.url}/workflows/abc` }
    const state = await openState()
    await state.update((d) => enqueueDecisions(d, [decision()], () => ({ actions: [action] }), T0))
    const outcomes: Array<{ outcome: string; id: string; error?: string }> = []
    const { worker } = makeWorker({
      state,
      notifiers: { teams: new TeamsNotifier() },
      actions: { 'rule:battery-low#0': action },
      outcomes,
    })
    await worker.drain(600_000)
    expect(outcomes.map((o) => [o.outcome, o.error])).toEqual([
      ['retry', 'teams: HTTP 429'],
      ['dead', 'teams: HTTP 400 bad card'],
    ])
    expect(JSON.stringify(state.current())).not.toContain('/workflows/abc')
  })
})

describe('docs/webhook-body.schema.json', () => {
  it('equals a fresh generation from the zod schema (run `npm run schema`)', async () => {
    const { readFile } = await import('node:fs/promises')
    const { webhookBodyJsonSchemaText } = await import('../../src/notify/webhook-body.js')
    const { REPO_ROOT } = await import('../helpers/fixtures.js')
    const path = await import('node:path')
    expect(await readFile(path.join(REPO_ROOT, 'docs/webhook-body.schema.json'), 'utf8')).toBe(
      webhookBodyJsonSchemaText(),
    )
  })
})
