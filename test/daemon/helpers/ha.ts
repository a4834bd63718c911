/**
 * Replicas for the high-availability tests: daemon processes sharing one PostgreSQL state, each with a Slack bot
 * token of its own (`xoxb-<replica>`), so the Slack stand-in tells who sent what. The state URL reaches the config
 * through `${TEST_PG_URL}`: its password is never in a file, and the tests check it is never in the output.
 */
import { writeFile } from 'node:fs/promises'
import pg from 'pg'
import type { FakeSeam } from '../../helpers/fake-seam.js'
import type { SlackCall, SlackReply, SlackStandIn } from '../../helpers/slack-stand-in.js'
import { startSlackStandIn } from '../../helpers/slack-stand-in.js'
import { type DaemonProcess, spawnCli } from './daemon-process.js'
import { type E2eDirs, makeDirs, slackTrace, writeConfig } from './setup.js'

/** Short lease settings: failover within leaseTtl + renewEvery = 2 s. */
export const HA = { renewEvery: 500, leaseTtl: 1500 }

export interface Replica {
  name: string
  token: string
  proc: DaemonProcess
  /** GET /healthz: status code and body (undefined while it does not answer, e.g. frozen or dead). */
  health(): Promise<{ status: number; body: Record<string, unknown> } | undefined>
  metrics(): Promise<string>
  alive(): boolean
}

/** One Slack call with what the stand-in answered: ok (the alert was delivered) or not. */
export interface SlackSend {
  call: SlackCall
  ok: boolean
  token: string
  eventId: string | undefined
}

export interface HaRig {
  dirs: E2eDirs
  slack: SlackStandIn
  sends: SlackSend[]
  /** Answer this call with an error (default: answer ok). */
  failWhen: (send: Omit<SlackSend, 'ok'>) => boolean
  url: string
  start(name: string): Replica
  replicas: Replica[]
  /** Deliveries (ok answers) of an event, by token. */
  deliveredBy(eventId: string): string[]
  close(): Promise<void>
}

const tokenOf = (call: SlackCall) => (call.auth ?? '').replace(/^Bearer /, '')

/** The Slack stand-in, dirs and config for replicas on `url` (a PostgreSQL URL with a password). */
export async function haRig(
  fake: FakeSeam,
  url: string,
  extra: Record<string, unknown> = {},
): Promise<HaRig> {
  const sends: SlackSend[] = []
  const rig = {} as HaRig
  rig.failWhen = () => false
  const slack = await startSlackStandIn({
    channelIds: false,
    script: (call): SlackReply | undefined => {
      if (call.method !== 'chat.postMessage') return undefined
      const base = { call, token: tokenOf(call), eventId: slackTrace(String(call.body.text ?? ''))?.eventId }
      const fail = rig.failWhen(base)
      sends.push({ ...base, ok: !fail })
      return fail ? { status: 500, body: { ok: false, error: 'internal_error' } } : undefined
    },
  })
  const dirs = await makeDirs()
  const startFrom = new Date(Date.now() - 1000).toISOString()
  await writeConfig(
    dirs,
    { seamUrl: fake.url, apiKey: fake.apiKey, slackApiUrl: slack.apiUrl, smtpPort: 1, startFrom },
    {
      state: '${TEST_PG_URL}',
      ha: { renewEvery: `${HA.renewEvery}ms`, leaseTtl: `${HA.leaseTtl}ms` },
      // No email in these tests (the rules' email actions are not used by `tampered`).
      email: undefined,
      monitor: { seamDownAfter: '1h', lagAbove: '1h' },
      delivery: { rollupAbove: 100000, slackPace: '10ms' },
      ...extra,
    },
  )
  const replicas: Replica[] = []
  Object.assign(rig, {
    dirs,
    slack,
    sends,
    url,
    replicas,
    start(name: string): Replica {
      const token = `xoxb-${name}`
      const proc = spawnCli(['run', '--config', dirs.config], { TEST_SLACK_TOKEN: token, TEST_PG_URL: url })
      const base = async () => new URL('/', await proc.healthUrl(60_000)).href
      const replica: Replica = {
        name,
        token,
        proc,
        alive: () => proc.child.exitCode === null && proc.child.signalCode === null,
        async health() {
          try {
            const res = await fetch(new URL('healthz', await base()), { signal: AbortSignal.timeout(1000) })
            return { status: res.status, body: (await res.json()) as Record<string, unknown> }
          } catch {
            return undefined
          }
        },
        async metrics() {
          const res = await fetch(new URL('metrics', await base()), { signal: AbortSignal.timeout(2000) })
          return res.text()
        },
      }
      replicas.push(replica)
      return replica
    },
    deliveredBy: (eventId: string) => sends.filter((s) => s.ok && s.eventId === eventId).map((s) => s.token),
    async close() {
      for (const r of replicas) {
        if (r.alive()) {
          r.proc.kill('SIGCONT')
          r.proc.kill('SIGKILL')
        }
      }
      await Promise.all(replicas.map((r) => r.proc.exited))
      await slack.close()
      await dirs.cleanup()
    },
  })
  return rig
}

/** Poll until `check` returns a value (or fail after `timeoutMs`, saying what was awaited). */
export async function eventually<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs: number,
  what: string,
  output?: () => string,
): Promise<T> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value) return value
    if (Date.now() > until)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${output ? `\n${output()}` : ''}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** Wait until `replica` answers /healthz with `role`; returns the answer. */
export function roleIs(replica: Replica, role: 'leader' | 'standby', timeoutMs = 30_000) {
  return eventually(
    async () => {
      const health = await replica.health()
      return health?.body.role === role ? health : undefined
    },
    timeoutMs,
    `${replica.name} to be ${role}`,
    () => `--- ${replica.name} stderr ---\n${replica.proc.stderr().slice(-4000)}`,
  )
}

export interface LeaseRow {
  holder: string | null
  epoch: number
  expiresAt: number
  now: number
}

/** The lease row, read with the database's clock beside it. */
export async function readLeaseRow(url: string, schema = 'seam_alerts'): Promise<LeaseRow | undefined> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const { rows } = await client.query<{
      holder: string | null
      epoch: string
      expires_at: Date
      now: Date
    }>(`SELECT holder, epoch::text AS epoch, expires_at, now() AS now FROM ${schema}.lease WHERE id = 1`)
    const row = rows[0]
    return row
      ? {
          holder: row.holder,
          epoch: Number(row.epoch),
          expiresAt: row.expires_at?.getTime() ?? 0,
          now: row.now.getTime(),
        }
      : undefined
  } finally {
    await client.end()
  }
}

/** The outbox length in the committed state document. */
export async function committedOutbox(url: string, schema = 'seam_alerts'): Promise<number> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const { rows } = await client.query<{ n: number | null }>(
      `SELECT jsonb_array_length(COALESCE(doc->'outbox', '[]'::jsonb)) AS n FROM ${schema}.state WHERE id = 1`,
    )
    return rows[0]?.n ?? -1
  } finally {
    await client.end()
  }
}

export async function writeRulesFile(dirs: E2eDirs, name: string, rule: object): Promise<void> {
  await writeFile(`${dirs.rules}/${name}.json`, JSON.stringify(rule))
}
