import { readFile } from 'node:fs/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { manualClock } from '../../src/clock.js'
import { parseConfig } from '../../src/config.js'
import { ActionPolicy } from '../../src/daemon/actions.js'
import { collectDigestFire, DIGEST_EVENT_TYPE, digestDecision } from '../../src/daemon/digest.js'
import { DigestScheduler } from '../../src/daemon/digest-scheduler.js'
import { HealthTracker } from '../../src/daemon/health.js'
import { type HealthServer, startHealthServer } from '../../src/daemon/health-server.js'
import { DaemonMetrics } from '../../src/daemon/metrics.js'
import { SelfMonitor } from '../../src/daemon/self-monitor.js'
import { silentLogger } from '../../src/log.js'
import type { Decision } from '../../src/rules/decision.js'
import { MemoryStore } from '../../src/state/memory-store.js'
import type { StateHolder } from '../../src/state/state-holder.js'
import { emptyState } from '../../src/state/state-schema.js'
import { openState, REPO_ROOT, T0_DAEMON as T0 } from '../helpers/fixtures.js'

function fire(rule: string, device: string, eventId: string, at: string): Decision {
  return {
    rule,
    kind: 'fire',
    group: { device_id: device },
    event_id: eventId,
    at,
    count: 1,
    suppressed: 0,
    event: { event_id: eventId, event_type: 'device.low_battery', created_at: at, occurred_at: at },
  }
}

describe('config.example.json', () => {
  it('passes the config schema with its ${ENV} references set', async () => {
    const file = `${REPO_ROOT}config.example.json`
    const raw = JSON.parse(await readFile(file, 'utf8')) as unknown
    const env = { SEAM_API_KEY: 'seam_test_key', SLACK_BOT_TOKEN: 'xoxb-test', SMTP_PASSWORD: 'secret' }
    const config = parseConfig(raw, file, env)
    expect(config.seam.apiKey).toBe('seam_test_key')
    expect(config.slack.token).toBe('xoxb-test')
    expect(config.email.smtp?.auth?.pass).toBe('secret')
    expect(config.monitor.actions.length).toBeGreaterThan(0)
    expect(config.server).toEqual({ host: '127.0.0.1', port: 9464 })
  })

  it('names the missing variable when a reference is not set', async () => {
    const file = `${REPO_ROOT}config.example.json`
    const raw = JSON.parse(await readFile(file, 'utf8')) as unknown
    expect(() => parseConfig(raw, file, { SEAM_API_KEY: 'k', SMTP_PASSWORD: 'p' })).toThrow(/SLACK_BOT_TOKEN/)
  })
})

describe('digests', () => {
  it('collects fires per group and summarises them in one traceable alert', async () => {
    const state = emptyState()
    collectDigestFire(state, fire('battery-digest', 'dev-a', 'e1', '2025-03-01T01:00:00.000Z'))
    collectDigestFire(state, fire('battery-digest', 'dev-a', 'e3', '2025-03-01T03:00:00.000Z'))
    collectDigestFire(state, fire('battery-digest', 'dev-b', 'e2', '2025-03-01T02:00:00.000Z'))
    const entries = Object.values(state.digests['battery-digest'] ?? {})
    expect(entries).toHaveLength(2)
    const decision = digestDecision('battery-digest', entries, T0)
    expect(decision).toMatchObject({ rule: 'battery-digest', kind: 'fire', count: 3 })
    expect(decision.eventIds).toEqual(['e1', 'e3', 'e2'])
    expect(decision.event.event_type).toBe(DIGEST_EVENT_TYPE)
    const table = (decision.event.digest as { table: string }).table.split('\n')
    expect(table[0]).toMatch(/^group\s+\| fires \| first seen\s+\| last seen\s+\| event ids$/)
    expect(table[1]).toMatch(
      /^device_id=dev-a \| 2 {5}\| 2025-03-01T01:00:00.000Z \| 2025-03-01T03:00:00.000Z \| e1 e3$/,
    )
    expect(table[2]).toMatch(/^device_id=dev-b \| 1 .* e2$/)
  })

  it('queues the summary through the rule actions and clears the collected fires in the same update', async () => {
    const state = await openState()
    await state.update((draft) => {
      collectDigestFire(draft, fire('battery-digest', 'dev-a', 'e1', '2025-03-01T01:00:00.000Z'))
    })
    const scheduled: Array<{ expression: string; fn: () => unknown; timezone?: string }> = []
    let kicked = 0
    const rule = {
      id: 'battery-digest',
      actions: [{ type: 'email' as const, to: ['ops@example.com'] }],
      digest: { cron: '0 8 * * *', timezone: 'Europe/Berlin' },
    }
    const scheduler = new DigestScheduler({
      state,
      clock: manualClock(T0),
      logger: silentLogger,
      timezone: 'UTC',
      rule: (id) => (id === rule.id ? rule : undefined),
      actionsFor: (r) => r.actions,
      onQueued: () => kicked++,
      cronSchedule: (expression, fn, options) => {
        scheduled.push({ expression, fn, timezone: options.timezone })
        return { stop: () => {}, destroy: () => {} }
      },
    })
    scheduler.reschedule([rule, { id: 'plain', actions: [] }])
    expect(scheduled.map((s) => [s.expression, s.timezone])).toEqual([['0 8 * * *', 'Europe/Berlin']])
    await scheduled[0]?.fn()
    const current = state.current()
    expect(current.digests).toEqual({})
    expect(current.outbox).toHaveLength(1)
    expect(current.outbox[0]).toMatchObject({
      actionRef: 'rule:battery-digest#0',
      target: 'email:ops@example.com',
    })
    expect(current.outbox[0]?.action.text).toBe('{{event.digest.table}}')
    expect(kicked).toBe(1)
    // Nothing collected: no empty digest.
    await scheduled[0]?.fn()
    expect(state.current().outbox).toHaveLength(1)
  })
})

describe('self-monitor', () => {
  it('alerts once when Seam is down longer than seamDownAfter, survives a restart, and recovers', async () => {
    const store = new MemoryStore()
    const state = await openState(store)
    const clock = manualClock(T0)
    const monitorConfig = { seamDownAfter: 5 * 60_000, lagAbove: 60 * 60_000, actions: [] }
    const actions = [{ type: 'slack' as const, channel: '#ops' }]
    const make = (s: StateHolder) =>
      new SelfMonitor({
        state: s,
        clock,
        logger: silentLogger,
        monitor: monitorConfig,
        actions: () => actions,
        onQueued: () => {},
      })
    const monitor = make(state)
    const down = { seamFailingSince: T0, seamReason: 'HTTP 503', cursor: new Date(T0).toISOString() }
    await monitor.check(down)
    clock.set(T0 + 4 * 60_000)
    await monitor.check({ ...down, cursor: new Date(T0).toISOString() })
    expect(state.current().outbox).toHaveLength(0)
    clock.set(T0 + 6 * 60_000)
    await monitor.check(down)
    expect(state.current().outbox).toHaveLength(1)
    expect(state.current().outbox[0]?.decision).toMatchObject({ kind: 'fire', group: { check: 'seam-down' } })
    expect(state.current().outbox[0]?.actionRef).toBe('monitor#0')
    expect(state.current().monitor['seam-down']).toEqual({ since: T0, alerted: true })

    // A restart while Seam is still down (the tracker restarts its "since"): no second alert.
    await state.close()
    const reopened = await openState(new MemoryStore(store.saves > 0 ? await store.load() : null))
    const again = make(reopened)
    clock.set(T0 + 7 * 60_000)
    await again.check({ ...down, seamFailingSince: T0 + 7 * 60_000 })
    expect(reopened.current().outbox).toHaveLength(1)

    clock.set(T0 + 8 * 60_000)
    await again.check({
      seamFailingSince: undefined,
      seamReason: undefined,
      cursor: new Date(clock.now()).toISOString(),
    })
    const outbox = reopened.current().outbox
    expect(outbox).toHaveLength(2)
    expect(outbox[1]?.decision).toMatchObject({ kind: 'resolve', firedEventId: outbox[0]?.decision.event_id })
    expect(reopened.current().monitor).toEqual({})
  })

  it('alerts when the cursor lags more than lagAbove', async () => {
    const state = await openState()
    const clock = manualClock(T0)
    const monitor = new SelfMonitor({
      state,
      clock,
      logger: silentLogger,
      monitor: { seamDownAfter: 60_000, lagAbove: 15 * 60_000, actions: [] },
      actions: () => [{ type: 'console' }],
      onQueued: () => {},
    })
    const sample = (lagMs: number) => ({
      seamFailingSince: undefined,
      seamReason: undefined,
      cursor: new Date(T0 - lagMs).toISOString(),
    })
    await monitor.check(sample(10 * 60_000))
    expect(state.current().outbox).toHaveLength(0)
    await monitor.check(sample(20 * 60_000))
    expect(state.current().outbox.map((i) => i.decision.kind)).toEqual(['fire'])
    await monitor.check(sample(1000))
    expect(state.current().outbox.map((i) => i.decision.kind)).toEqual(['fire', 'resolve'])
  })
})

describe('action policy', () => {
  const rules = new Map([
    ['r1', { id: 'r1', actions: [{ type: 'slack' as const, webhookUrl: 'https://hooks.example.com/x' }] }],
  ])
  const lookup = { get: (id: string) => rules.get(id) }

  it('adds a console action when console is on and resolves references again', () => {
    const policy = new ActionPolicy({
      console: true,
      monitorActions: [{ type: 'email', to: ['a@example.com'] }],
    })
    expect(policy.resolve('rule:r1#0', lookup)).toEqual({
      type: 'slack',
      webhookUrl: 'https://hooks.example.com/x',
    })
    expect(policy.resolve('rule:r1#1', lookup)).toEqual({ type: 'console' })
    expect(policy.resolve('monitor#0', lookup)).toEqual({ type: 'email', to: ['a@example.com'] })
    expect(policy.resolve('monitor#1', lookup)).toEqual({ type: 'console' })
    expect(policy.resolve('rule:gone#0', lookup)).toBeUndefined()
  })

  it('routes everything to the override (sandbox)', () => {
    const policy = new ActionPolicy({ console: false, monitorActions: [], override: [{ type: 'console' }] })
    expect(policy.forRule({ actions: [{ type: 'email', to: ['x@example.com'] }] })).toEqual([
      { type: 'console' },
    ])
    expect(policy.forMonitor()).toEqual([{ type: 'console' }])
  })
})

describe('health server', () => {
  let server: HealthServer | undefined
  afterEach(async () => {
    await server?.close()
    server = undefined
  })

  it('answers 200 while healthy, 503 with the reason while Seam fails, and serves Prometheus metrics', async () => {
    const clock = manualClock(T0)
    const health = new HealthTracker(clock)
    const metrics = new DaemonMetrics({ defaultMetrics: false })
    server = await startHealthServer({ host: '127.0.0.1', port: 0, health, metrics, logger: silentLogger })
    health.polled(new Date(T0 - 30_000).toISOString())
    let res = await fetch(`${server.url}/healthz`)
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ status: 'ok', reasons: [], lagSeconds: 30 })

    health.fail('seam', 'HTTP 503 from /events/list')
    clock.advance(60_000)
    health.fail('seam', 'HTTP 503 from /events/list (again)')
    res = await fetch(`${server.url}/healthz`)
    expect(res.status).toBe(503)
    expect(await res.json()).toMatchObject({
      status: 'failing',
      reasons: ['Seam failing since 2025-03-01T08:00:00.000Z: HTTP 503 from /events/list (again)'],
    })
    health.ok('seam')
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200)

    metrics.eventsFetched.inc(3)
    metrics.deliveries.inc({ rule: 'r1', channel: 'slack', outcome: 'sent' })
    res = await fetch(`${server.url}/metrics`)
    expect(res.status).toBe(200)
    const text = await res.text()
    expect(text).toContain('seam_alerts_events_fetched_total 3')
    expect(text).toContain('seam_alerts_deliveries_total{rule="r1",channel="slack",outcome="sent"} 1')
    for (const name of [
      'seam_alerts_events_rejected_total',
      'seam_alerts_events_evaluated_total',
      'seam_alerts_poll_duration_seconds',
      'seam_alerts_cursor_lag_seconds',
      'seam_alerts_state_write_duration_seconds',
      'seam_alerts_outbox_size',
    ])
      expect(text).toContain(`# HELP ${name}`)
    expect((await fetch(`${server.url}/other`)).status).toBe(404)
  })
})
