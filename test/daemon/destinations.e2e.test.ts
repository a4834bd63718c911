import { readdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type FakeSeam, startFakeSeam } from '../helpers/fake-seam.js'
import { type HttpStandIn, startHttpStandIn } from '../helpers/http-stand-in.js'
import { type DaemonProcess, spawnCli } from './helpers/daemon-process.js'
import { type E2eDirs, makeDirs } from './helpers/setup.js'

/**
 * Issue 14: PagerDuty, the signed webhook and Teams deliver at least once across a SIGKILL. The first daemon is
 * killed while every destination holds a request unanswered; the second sends everything that was queued, and no
 * secret (routing key, URLs, signing secret) is ever in the state file.
 */
const ENV = {
  PD_ROUTING_KEY: 'e2e-routing-key-000000000000000',
  HOOK_SECRET: 'e2e-signing-secret',
}

let fake: FakeSeam
let dirs: E2eDirs
let daemons: DaemonProcess[] = []
const receivers: HttpStandIn[] = []
let answering = false

beforeAll(async () => {
  fake = await startFakeSeam()
})
afterAll(async () => {
  await fake.close()
})
afterEach(async () => {
  for (const daemon of daemons) if (daemon.child.exitCode === null) daemon.kill('SIGKILL')
  await Promise.all(daemons.map((d) => d.exited))
  daemons = []
  for (const receiver of receivers.splice(0)) await receiver.close()
  await dirs.cleanup()
})

/** A receiver that leaves every request hanging until `answering`, then answers `status`. */
async function receiver(status: number): Promise<HttpStandIn> {
  const standIn = await startHttpStandIn(() => (answering ? { status, body: '{}' } : { hang: true }))
  receivers.push(standIn)
  return standIn
}

describe('PagerDuty, webhook and Teams across a SIGKILL', () => {
  it('sends every queued alert after a restart, with no secret in the state file', async () => {
    answering = false
    const pd = await receiver(202)
    const hook = await receiver(204)
    const teams = await receiver(202)
    const checker = await startHttpStandIn(undefined, { status: 200, body: 'OK' })
    receivers.push(checker)
    const env = {
      ...ENV,
      HOOK_URL: `${hook.url}/hooks/e2e-secret-path`,
      TEAMS_URL: `${teams.url}/workflows/e2e-secret-flow`,
      HEARTBEAT_URL: `${checker.url}/ping/e2e-secret-check`,
    }
    dirs = await makeDirs()
    for (const name of await readdir(dirs.rules)) await rm(path.join(dirs.rules, name))
    await writeFile(
      path.join(dirs.rules, 'oncall.json'),
      JSON.stringify({
        id: 'oncall',
        description: 'Tampering',
        severity: 'critical',
        eventTypes: ['device.tampered'],
        groupBy: ['device_id'],
        actions: [
          { type: 'pagerduty', routingKey: '${PD_ROUTING_KEY}' },
          { type: 'webhook', url: '${HOOK_URL}', secret: '${HOOK_SECRET}' },
          { type: 'teams', webhookUrl: '${TEAMS_URL}' },
        ],
      }),
    )
    await writeFile(
      dirs.config,
      JSON.stringify({
        seam: {
          endpoint: fake.url,
          apiKey: fake.apiKey,
          pollInterval: '300ms',
          lookback: '1m',
          startFrom: new Date(Date.now() - 1000).toISOString(),
          requestTimeout: '5s',
        },
        rules: './rules',
        state: './state.json',
        pagerduty: { apiUrl: `${pd.url}/v2/enqueue` },
        heartbeat: { url: '${HEARTBEAT_URL}', every: '200ms' },
        delivery: { backoff: '100ms', maxBackoff: '1s' },
        server: false,
      }),
    )
    const events = fake.deviceIds
      .slice(0, 3)
      .map((device) => fake.addEvent({ event_type: 'device.tampered', device_id: device }))

    const first = spawnCli(['run', '--config', dirs.config], env)
    daemons.push(first)
    await first.waitFor(
      () => pd.calls.length > 0 && hook.calls.length > 0 && teams.calls.length > 0,
      30_000,
      'a request in flight at every destination',
    )
    first.kill('SIGKILL')
    await first.exited
    const saved = await readFile(dirs.state, 'utf8')
    expect((JSON.parse(saved) as { outbox: unknown[] }).outbox).toHaveLength(9)
    for (const secret of Object.values(env)) expect(saved).not.toContain(secret)
    expect(saved).not.toContain('e2e-secret')

    answering = true
    const second = spawnCli(['run', '--config', dirs.config], env)
    daemons.push(second)
    const ids = events.map((e) => e.event_id)
    const pdIds = () =>
      pd.calls.map(
        (c) =>
          (c.json as { payload?: { custom_details?: { event_id?: string } } })?.payload?.custom_details
            ?.event_id,
      )
    const hookIds = () => hook.calls.map((c) => (c.json as { event_id?: string } | undefined)?.event_id)
    const teamsIds = () => teams.calls.map((c) => ids.find((id) => c.raw.includes(id.replace(/_/g, '\\\\_'))))
    await second.waitFor(
      () => [pdIds(), hookIds(), teamsIds()].every((got) => ids.every((id) => got.includes(id))),
      30_000,
      'every alert at every destination',
    )
    // The heartbeat runs next to alerting: healthy polls, so the checker is called.
    await second.waitFor(() => checker.calls.length >= 2, 10_000, 'heartbeat calls')
    expect(new Set(checker.calls.map((c) => `${c.method} ${c.path}`))).toEqual(
      new Set(['GET /ping/e2e-secret-check']),
    )
    second.kill('SIGTERM')
    expect((await second.exited).code).toBe(0)
    const final = JSON.parse(await readFile(dirs.state, 'utf8')) as { outbox: unknown[]; sent: unknown[] }
    expect(final.outbox).toHaveLength(0)
    expect(final.sent).toHaveLength(9)
    // The requests answered after the restart are signed like any other.
    const signed = hook.calls.filter((c) => c.headers['x-seam-alerts-signature'])
    expect(signed.length).toBe(hook.calls.length)
    const logs = second.stderr() + first.stderr()
    for (const secret of Object.values(env)) expect(logs).not.toContain(secret)
    expect(second.logs().find((l) => Array.isArray(l.channels))?.channels).toEqual([
      `pagerduty(127.0.0.1:${new URL(pd.url).port})`,
      'webhook',
      'teams',
      'heartbeat(every 200 ms)',
    ])
  }, 90_000)
})
