import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { parseConfig } from '../../../src/config.js'
import { type DaemonHandle, startDaemon } from '../../../src/daemon/daemon.js'
import { type FakeSeam, startFakeSeam } from '../../helpers/fake-seam.js'
import { captureLogger } from '../../helpers/fixtures.js'
import { describePg } from '../../helpers/postgres.js'
import { type SlackStandIn, startSlackStandIn } from '../../helpers/slack-stand-in.js'

// Two daemons in this process on one PostgreSQL state, against the official fake Seam and the Slack stand-in.
// Each posts with a bot token of its own, so every delivery is attributed. Lease: renewEvery 300ms, leaseTtl 1500ms.

const RENEW = 300
const TTL = 1500

const until = async <T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
) => {
  const end = Date.now() + 20_000
  for (;;) {
    const value = await check()
    if (value) return value
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

describePg('two daemons on one PostgreSQL state elect one leader and fail over', (db) => {
  let fake: FakeSeam
  let slack: SlackStandIn
  let dir: string
  const daemons: DaemonHandle[] = []
  beforeAll(async () => {
    fake = await startFakeSeam()
    slack = await startSlackStandIn({ channelIds: false })
    dir = await mkdtemp(path.join(tmpdir(), 'seam-alerts-ha-'))
    await mkdir(path.join(dir, 'rules'))
    const rule = {
      id: 'unlocked',
      eventTypes: ['lock.unlocked'],
      actions: [{ type: 'slack', channel: '#doors' }],
    }
    await writeFile(path.join(dir, 'rules', 'unlocked.json'), JSON.stringify(rule))
  })
  afterEach(async () => {
    for (const daemon of daemons.splice(0)) await daemon.stop()
    await db.query(`UPDATE seam_alerts.lease SET holder = NULL, expires_at = NULL`).catch(() => undefined)
  })
  afterAll(async () => {
    await slack?.close()
    await fake?.close()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  const startFrom = new Date(Date.now() - 1000).toISOString()
  async function replica(name: string, opts: { once?: boolean } = {}) {
    const log = captureLogger()
    const config = parseConfig(
      {
        seam: { endpoint: fake.url, apiKey: fake.apiKey, pollInterval: '100ms', startFrom },
        slack: { token: `xoxb-${name}`, apiUrl: slack.apiUrl },
        rules: './rules',
        state: db.url(),
        ha: { renewEvery: `${RENEW}ms`, leaseTtl: `${TTL}ms` },
        server: { port: 0 },
      },
      path.join(dir, 'config.json'),
      {},
    )
    const daemon = await startDaemon({
      config,
      logger: log.logger,
      stopTimeoutMs: 2_000,
      ...(opts.once ? { once: true } : {}),
    })
    daemons.push(daemon)
    const health = async () => {
      const res = await fetch(`${daemon.healthUrl}/healthz`)
      return { status: res.status, body: (await res.json()) as Record<string, unknown> }
    }
    const metrics = async () => (await fetch(`${daemon.healthUrl}/metrics`)).text()
    return { name, daemon, log, health, metrics, token: `Bearer xoxb-${name}` }
  }
  const sentBy = (eventId: string) =>
    slack.calls
      .filter((call) => call.method === 'chat.postMessage' && JSON.stringify(call.body).includes(eventId))
      .map((call) => call.auth)

  it('one leads, one stands by (healthy, doing nothing); the standby takes over when the leader stops', async () => {
    const a = await replica('a')
    const b = await replica('b')
    const startLine = (log: typeof a.log) => log.lines.find((line) => 'health' in line && 'version' in line)
    expect(startLine(a.log)?.msg).toContain('started as leader')
    expect(startLine(b.log)?.msg).toContain('started as standby')

    const aHealth = await a.health()
    expect(aHealth).toMatchObject({ status: 200, body: { role: 'leader', status: 'ok' } })
    const bHealth = await b.health()
    expect(bHealth).toMatchObject({ status: 200, body: { role: 'standby', status: 'ok', lastPollAt: null } })
    expect(bHealth.body.lease).toMatchObject({
      holder: aHealth.body.lease && (aHealth.body.lease as { self: string }).self,
    })
    expect(await a.metrics()).toContain('seam_alerts_ha_leader 1')
    expect(await b.metrics()).toContain('seam_alerts_ha_leader 0')
    const epoch = (aHealth.body.lease as { epoch: number }).epoch

    const first = fake.addEvent()
    await until(() => sentBy(first.event_id).length > 0, 'the first alert')
    expect(sentBy(first.event_id)).toEqual([a.token])
    // The standby polled nothing and wrote nothing.
    expect((await b.health()).body.lastPollAt).toBeNull()
    expect(await b.metrics()).toMatch(/seam_alerts_events_fetched_total 0/)

    await a.daemon.stop()
    await until(async () => (await b.health()).body.role === 'leader', 'b to lead')
    const taken = await b.health()
    // A later epoch (epoch + 1, unless a loaded machine made a renewal miss and the lease change hands again).
    const next = (taken.body.lease as { epoch: number }).epoch
    expect(next).toBeGreaterThan(epoch)
    expect(await b.metrics()).toContain('seam_alerts_ha_leader 1')
    expect(await b.metrics()).toContain(`seam_alerts_ha_lease_epoch ${next}`)
    const second = fake.addEvent()
    await until(() => sentBy(second.event_id).length > 0, 'the alert after failover')
    expect(sentBy(second.event_id)).toEqual([b.token])
    // Continued from the committed state: the first alert is not sent again.
    await new Promise((resolve) => setTimeout(resolve, 3 * RENEW))
    expect(sentBy(first.event_id)).toEqual([a.token])
  }, 60_000)

  const leaseRow = async () =>
    (await db.query<{ holder: string | null; epoch: string }>('SELECT holder, epoch FROM seam_alerts.lease'))
      .rows[0]

  it('a leader whose lease is taken over behind its back stops at once: its renewal or its next write is refused', async () => {
    const a = await replica('a')
    expect((await a.health()).body.role).toBe('leader')
    const before = fake.addEvent()
    await until(() => sentBy(before.event_id).length > 0, 'an alert from a')
    // Another replica (frozen clock, partition: it does not matter which) takes the row with the next epoch.
    await db.query(
      `UPDATE seam_alerts.lease SET holder = 'intruder', epoch = epoch + 1, expires_at = now() + interval '1 hour'`,
    )
    await until(async () => (await a.health()).body.role === 'standby', 'a to stand by')
    const health = await until(async () => {
      const answer = await a.health()
      return (answer.body.lease as { holder: string }).holder === 'intruder' && answer
    }, 'a to see the intruder')
    expect(health.status).toBe(200)
    expect(a.log.lines.some((line) => String(line.msg).startsWith('lost the leader lease'))).toBe(true)
    // The standby's API points at the leader's instead of serving a state it does not own.
    const api = await fetch(`${a.daemon.healthUrl}/api/v1/silences`)
    expect(api.status).toBe(503)
    expect(JSON.stringify(await api.json())).toContain('standby')
    const after = fake.addEvent()
    await new Promise((resolve) => setTimeout(resolve, 4 * RENEW))
    expect(sentBy(after.event_id)).toEqual([])
    expect(await a.metrics()).toContain('seam_alerts_ha_lease_transitions_total{to="standby"} 1')
    await db.query(`UPDATE seam_alerts.lease SET holder = NULL, expires_at = NULL`)
    // Free again: it leads a new term, loaded fresh, and sends what came meanwhile.
    await until(() => sentBy(after.event_id).length > 0, 'the alert once a leads again')
    expect(sentBy(before.event_id)).toHaveLength(1)
  }, 60_000)

  it('run --once takes the lease for its one cycle and releases it; it refuses while another replica leads', async () => {
    const once = await replica('once', { once: true })
    await once.daemon.done
    expect(await leaseRow()).toMatchObject({ holder: null })
    const a = await replica('a')
    expect((await a.health()).body.role).toBe('leader')
    const refused = await replica('refused', { once: true }).then(
      () => undefined,
      (error: unknown) => error as Error & { code?: string },
    )
    expect(refused?.code).toBe('STATE_LOCKED')
    expect(refused?.message).toContain('run --once needs the leader lease')
  }, 60_000)
})
