import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { type DaemonProcess, spawnCli } from '../../test/daemon/helpers/daemon-process.js'
import { startPostgres } from '../../test/helpers/postgres-server.js'
import { startSlackStandIn } from '../../test/helpers/slack-stand-in.js'
import { startStrictEmulator } from '../../test/helpers/strict-emulator.js'
import { type BenchOptions, errorText, say, skipped } from '../report.js'
import { percentile, round } from '../stats.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export interface FailoverFigures {
  /** SIGKILL of the leader -> first alert delivered by the new leader, ms. */
  p50: number
  max: number
  samples: number
  renewEvery: string
  leaseTtl: string
}

interface Replica {
  token: string
  proc: DaemonProcess
  base: string
}

async function role(replica: Replica): Promise<string | undefined> {
  try {
    const res = await fetch(new URL('healthz', replica.base), { signal: AbortSignal.timeout(1000) })
    return String(((await res.json()) as { role?: unknown }).role)
  } catch {
    return undefined
  }
}

async function until<T>(check: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const end = performance.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (performance.now() > end) throw new Error(`no ${what} within ${timeoutMs} ms`)
    await sleep(50)
  }
}

/**
 * Section 5b: failover. Two daemon processes (the CLI, as a user runs it) on one PostgreSQL state (the test
 * harness's server), default lease settings (renewEvery 5s, leaseTtl 15s), pollInterval 1s, an event every 250 ms
 * in the strict emulator. The leader is SIGKILLed; the figure is the time from the kill to the first alert the
 * new leader delivers to the Slack stand-in. The killed replica is started again (as a standby) between samples.
 */
export async function failoverSection(opts: BenchOptions): Promise<FailoverFigures | null> {
  const samples = opts.quick ? 1 : 3
  const renewEvery = '5s'
  const leaseTtl = '15s'
  say(
    `\n## 5b. Failover (SIGKILL of the leader -> first alert from the new leader; two replicas, renewEvery ${renewEvery}, leaseTtl ${leaseTtl}, pollInterval 1s; ${samples} kills)`,
  )
  let server: Awaited<ReturnType<typeof startPostgres>>
  try {
    server = await startPostgres()
  } catch (error) {
    skipped('failover', errorText(error))
    return null
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'seam-alerts-bench-failover-'))
  const emulator = await startStrictEmulator()
  const slack = await startSlackStandIn()
  const replicas: Replica[] = []
  let generator: NodeJS.Timeout | undefined
  try {
    await mkdir(path.join(dir, 'rules'))
    const rule = {
      id: 'bench-failover',
      description: 'Every unlock, straight to Slack',
      eventTypes: ['lock.unlocked'],
      groupBy: ['device_id'],
      actions: [{ type: 'slack', channel: '#bench' }],
    }
    await writeFile(path.join(dir, 'rules', 'bench-failover.json'), JSON.stringify(rule))
    const config = {
      seam: { endpoint: emulator.url, apiKey: emulator.apiKey, pollInterval: '1s', startFrom: 'now' },
      rules: './rules',
      state: '${BENCH_PG_URL}',
      slack: { token: '${BENCH_SLACK_TOKEN}', apiUrl: slack.apiUrl },
      server: { host: '127.0.0.1', port: 0 },
      // No storm rollup: the ~60 events queued during a failover would otherwise go out as one message held for
      // rollupWindow, and the next kill could not find a fresh alert from the leader to start from.
      delivery: { slackPace: '10ms', rollupAbove: 100_000 },
      ha: { renewEvery, leaseTtl },
    }
    const configFile = path.join(dir, 'config.json')
    await writeFile(configFile, JSON.stringify(config))
    const url = server.url(await server.createDatabase())
    let started = 0
    const start = async (): Promise<Replica> => {
      const token = `xoxb-bench-replica-${++started}`
      const proc = spawnCli(['run', '--config', configFile], {
        BENCH_PG_URL: url,
        BENCH_SLACK_TOKEN: token,
      })
      const base = new URL('/', await proc.healthUrl(60_000)).href
      const replica = { token, proc, base }
      replicas.push(replica)
      return replica
    }
    const live = [await start(), await start()]
    let n = 0
    generator = setInterval(() => {
      const now = new Date().toISOString()
      emulator.addEvent({
        event_type: 'lock.unlocked',
        device_id: `device_fo_${n++}`,
        created_at: now,
        occurred_at: now,
      })
    }, 250)
    const delivered = (token: string, after: number) =>
      slack.posted().find((call) => call.auth === `Bearer ${token}` && call.at > after)
    const times: number[] = []
    let stopped: string | undefined
    for (let i = 0; i < samples && !stopped; i++) {
      try {
        await sample(i)
      } catch (error) {
        stopped = errorText(error)
        say(`  kill ${i + 1}: not measured: ${stopped}`)
      }
    }
    async function sample(i: number): Promise<void> {
      const leader = await until(
        async () => {
          for (const replica of live) if ((await role(replica)) === 'leader') return replica
          return undefined
        },
        60_000,
        'leader',
      )
      const mark = performance.now()
      await until(async () => delivered(leader.token, mark), 30_000, 'alert from the leader').catch(
        async (error: Error) => {
          const health = await fetch(new URL('healthz', leader.base)).then((res) => res.text(), String)
          const said = leader.proc.stderr().trim().split('\n').slice(-3).join(' | ').slice(0, 600)
          throw new Error(
            `${error.message}; its /healthz: ${health.slice(0, 400)}; its last log lines: ${said}`,
          )
        },
      )
      const standby = live.find((r) => r !== leader)!
      await until(async () => ((await role(standby)) === 'standby' ? true : undefined), 60_000, 'standby')
      await sleep(Math.random() * 5_000) // a random phase of the renewal period
      const killedAt = performance.now()
      leader.proc.kill('SIGKILL')
      const first = await until(
        async () => delivered(standby.token, killedAt),
        120_000,
        'alert from the new leader',
      )
      times.push(first.at - killedAt)
      say(`  kill ${i + 1}: ${round(first.at - killedAt, 0)} ms`)
      await leader.proc.exited
      live.splice(live.indexOf(leader), 1, await start())
    }
    if (times.length === 0) throw new Error(stopped ?? 'no kill measured')
    const p50 = round(percentile(times, 50), 0)
    const max = round(Math.max(...times), 0)
    say(
      `failover p50 ${p50} ms, max ${max} ms over ${times.length} kills (bound: leaseTtl + renewEvery + one poll)`,
    )
    return { p50, max, samples: times.length, renewEvery, leaseTtl }
  } catch (error) {
    skipped('failover', errorText(error))
    return null
  } finally {
    if (generator) clearInterval(generator)
    for (const replica of replicas) if (replica.proc.child.exitCode === null) replica.proc.kill('SIGKILL')
    await Promise.all(replicas.map((r) => r.proc.exited))
    await slack.close()
    await emulator.close()
    await server.close()
    await rm(dir, { recursive: true, force: true })
  }
}
