import { afterEach, describe, expect, it } from 'vitest'
import { MAX_BODY_BYTES } from '../../src/daemon/api/http.js'
import { apiHandler } from '../../src/daemon/api/router.js'
import { HealthTracker } from '../../src/daemon/health.js'
import { type HealthServer, startHealthServer } from '../../src/daemon/health-server.js'
import { DaemonMetrics } from '../../src/daemon/metrics.js'
import type { HistoryEntry } from '../../src/noise/history.js'
import { captureLogger, MIN, openState, T0 } from '../helpers/fixtures.js'

const TOKEN = 'api-token-for-tests-0123456789'

let server: HealthServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

async function start(apiToken?: string) {
  const state = await openState()
  let now = T0
  const clock = { now: () => now }
  const { logger, text } = captureLogger()
  server = await startHealthServer({
    host: '127.0.0.1',
    port: 0,
    health: new HealthTracker(clock),
    metrics: new DaemonMetrics({ defaultMetrics: false }),
    logger,
    api: apiHandler({ state, clock, logger, apiToken }),
  })
  const url = server.url
  const call = async (
    method: string,
    path: string,
    opts: { body?: unknown; raw?: string; token?: string } = {},
  ) => {
    const headers: Record<string, string> = {}
    if (opts.token) headers.authorization = `Bearer ${opts.token}`
    const body = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body))
    const res = await fetch(`${url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) })
    // biome-ignore lint/suspicious/noExplicitAny: the tests read the JSON answers field by field
    return { status: res.status, headers: res.headers, json: (await res.json()) as any }
  }
  return { state, call, advance: (ms: number) => (now += ms), logs: text }
}

const silence = { matchers: ['rule=low-battery', 'device_id=dev_1'], duration: '2h', comment: 'battery swap' }

describe('local API: silences', () => {
  it('creates (durable before the 201), lists, shows and expires a silence', async () => {
    const { state, call, advance } = await start(TOKEN)
    const created = await call('POST', '/api/v1/silences', { body: silence, token: TOKEN })
    expect(created.status).toBe(201)
    expect(created.json).toMatchObject({
      matchers: ['rule=low-battery', 'device_id=dev_1'],
      startsAt: new Date(T0).toISOString(),
      endsAt: new Date(T0 + 120 * MIN).toISOString(),
      createdBy: 'api',
      comment: 'battery swap',
      status: 'active',
      suppressed: 0,
    })
    const id = created.json.id as string
    expect(id).toMatch(/^[0-9a-f-]{36}$/)
    expect(created.headers.get('location')).toBe(`/api/v1/silences/${id}`)
    expect(state.current().silences.map((s) => s.id)).toEqual([id])

    expect((await call('GET', '/api/v1/silences')).json.map((s: { id: string }) => s.id)).toEqual([id])
    expect((await call('GET', `/api/v1/silences/${id}`)).json).toMatchObject({ id, status: 'active' })

    advance(MIN)
    const expired = await call('DELETE', `/api/v1/silences/${id}`, { token: TOKEN })
    expect(expired.status).toBe(200)
    expect(expired.json).toMatchObject({ id, status: 'expired', endsAt: new Date(T0 + MIN).toISOString() })
    expect((await call('GET', '/api/v1/silences')).json).toEqual([])
    const all = await call('GET', '/api/v1/silences?expired=true')
    expect(all.json.map((s: { id: string; status: string }) => [s.id, s.status])).toEqual([[id, 'expired']])
    expect((await call('DELETE', '/api/v1/silences/nope', { token: TOKEN })).status).toBe(404)
  })

  it('refuses writes without the right token (401), and all writes with no token configured (403)', async () => {
    const { state, call, logs } = await start(TOKEN)
    const missing = await call('POST', '/api/v1/silences', { body: silence })
    expect(missing.status).toBe(401)
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/)
    expect(missing.json.error).toMatch(/missing bearer token/)
    const wrong = await call('POST', '/api/v1/silences', { body: silence, token: `${TOKEN}x` })
    expect(wrong.status).toBe(401)
    expect(JSON.stringify(wrong.json)).not.toContain(TOKEN)
    expect((await call('DELETE', '/api/v1/silences/x', { token: 'nope' })).status).toBe(401)
    expect(state.current().silences).toEqual([])
    expect(logs()).not.toContain(TOKEN)
    await server?.close()

    const readOnly = await start(undefined)
    const refused = await readOnly.call('POST', '/api/v1/silences', { body: silence, token: TOKEN })
    expect(refused.status).toBe(403)
    expect(refused.json.error).toMatch(/read-only: set "server.apiToken"/)
    expect((await readOnly.call('GET', '/api/v1/silences')).status).toBe(200)
  })

  it('answers a bad body 400 naming the field', async () => {
    const { call } = await start(TOKEN)
    const bad = await call('POST', '/api/v1/silences', {
      body: { ...silence, matchers: ['device_id~dev_1'] },
      token: TOKEN,
    })
    expect(bad.status).toBe(400)
    expect(bad.json.error).toMatch(/^invalid silence: \$\.matchers\[0\]: /)
    expect(bad.json.issues).toEqual([
      { field: '$.matchers[0]', message: expect.stringContaining('device_id~dev_1') },
    ])

    const noComment = await call('POST', '/api/v1/silences', {
      body: { ...silence, comment: undefined },
      token: TOKEN,
    })
    expect(noComment.json.issues).toEqual([{ field: '$.comment', message: expect.stringMatching(/comment/) }])
    const typo = await call('POST', '/api/v1/silences', {
      body: { ...silence, duratoin: '1h' },
      token: TOKEN,
    })
    expect(typo.status).toBe(400)
    expect(typo.json.issues.map((i: { field: string }) => i.field)).toContain('$')
    const past = await call('POST', '/api/v1/silences', {
      body: { ...silence, duration: undefined, endsAt: '2020-01-01T00:00:00Z' },
      token: TOKEN,
    })
    expect(past.json.issues).toEqual([
      { field: '$.endsAt', message: expect.stringMatching(/after the start|future/) },
    ])
    const notJson = await call('POST', '/api/v1/silences', { raw: '{"matchers": [', token: TOKEN })
    expect(notJson.status).toBe(400)
    expect(notJson.json.error).toMatch(/not valid JSON/)
  })

  it('404 for an unknown path, 405 for a wrong method, 413 for a body over the cap, 400 for an unknown query', async () => {
    const { call } = await start(TOKEN)
    const unknown = await call('GET', '/api/v1/nothing')
    expect(unknown.status).toBe(404)
    expect(unknown.json.error).toMatch(/no such API path/)
    const method = await call('PUT', '/api/v1/silences', { body: {}, token: TOKEN })
    expect(method.status).toBe(405)
    expect(method.headers.get('allow')).toBe('GET, POST')
    const big = await call('POST', '/api/v1/silences', {
      body: { ...silence, comment: 'x'.repeat(MAX_BODY_BYTES) },
      token: TOKEN,
    })
    expect(big.status).toBe(413)
    const query = await call('GET', '/api/v1/silences?expird=true')
    expect(query.status).toBe(400)
    expect(query.json.issues).toEqual([
      { field: 'expird', message: expect.stringMatching(/expected expired/) },
    ])
  })
})

const entry = (
  at: number,
  rule: string,
  labels: Record<string, string>,
  outcome: HistoryEntry['outcome'],
): HistoryEntry => ({
  at,
  rule,
  kind: 'fire',
  event_id: `evt_${at}`,
  labels: { rule, ...labels },
  outcome,
  ...(outcome === 'silenced' ? { silenceId: 'sil_1' } : { target: 'slack:#alerts' }),
})

describe('local API: alerts, incidents, dead letters', () => {
  it('lists the history filtered by rule, since (duration or ISO), labels and limit', async () => {
    const { state, call } = await start()
    await state.update((draft) => {
      draft.history.push(
        entry(T0 - 3 * 24 * 60 * MIN, 'low-battery', { device_id: 'dev_1' }, 'sent'),
        entry(T0 - 60 * MIN, 'low-battery', { device_id: 'dev_1' }, 'silenced'),
        entry(T0 - 30 * MIN, 'low-battery', { device_id: 'dev_2' }, 'sent'),
        entry(T0 - 10 * MIN, 'door-open', { device_id: 'dev_1' }, 'sent'),
      )
    })
    const ats = async (query: string) =>
      ((await call('GET', `/api/v1/alerts${query}`)).json as HistoryEntry[]).map((e) => e.at)
    expect(await ats('')).toHaveLength(4)
    expect(await ats('?rule=low-battery&since=1d')).toEqual([T0 - 60 * MIN, T0 - 30 * MIN])
    expect(await ats(`?since=${new Date(T0 - 20 * MIN).toISOString()}`)).toEqual([T0 - 10 * MIN])
    expect(await ats('?label=device_id=dev_1&label=rule=low-battery')).toEqual([
      T0 - 3 * 24 * 60 * MIN,
      T0 - 60 * MIN,
    ])
    expect(await ats('?limit=1')).toEqual([T0 - 10 * MIN])
    const bad = await call('GET', '/api/v1/alerts?since=yesterday')
    expect(bad.status).toBe(400)
    expect(bad.json.issues[0].field).toBe('since')
    expect((await call('GET', '/api/v1/alerts?label=device_id')).json.issues[0].field).toBe('label')
    expect((await call('GET', '/api/v1/alerts?limit=0')).json.issues[0].field).toBe('limit')
  })

  it('lists open incidents with their group labels, and dead letters', async () => {
    const { state, call } = await start()
    // The noise stage keeps the open incidents with their labels (src/noise/incidents.ts).
    await state.update((draft) => {
      draft.noise = {
        ...draft.noise,
        open: {
          'site-offline|{"site":"hq"}': {
            rule: 'site-offline',
            labels: { site: 'hq', rule: 'site-offline' },
            firedAt: T0 - MIN,
          },
        },
      }
    })
    expect((await call('GET', '/api/v1/incidents')).json).toEqual([
      {
        key: 'site-offline|{"site":"hq"}',
        rule: 'site-offline',
        labels: { site: 'hq', rule: 'site-offline' },
        firedAt: T0 - MIN,
      },
    ])
    expect((await call('GET', '/api/v1/dead-letters')).json).toEqual([])
  })
})
