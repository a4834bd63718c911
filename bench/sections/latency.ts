import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { type Config, parseConfig } from '../../src/config.js'
import { type Logger, silentLogger } from '../../src/log.js'
import { startSlackStandIn } from '../../test/helpers/slack-stand-in.js'
import { optionalImport } from '../optional-import.js'
import { type BenchOptions, errorText, say, skipped } from '../report.js'
import { percentile, round } from '../stats.js'

interface Emulator {
  url: string
  apiKey: string
  addEvent(event: Record<string, unknown>): unknown
  close(): Promise<void>
}
interface DaemonModule {
  startDaemon(opts: {
    config: Config
    logger: Logger
  }): Promise<{ done: Promise<void>; stop(): Promise<void> }>
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Section 5: an event becomes visible in the strict emulator -> the real daemon (pollInterval 1s) polls it, the
 * rule fires, the delivery worker posts it -> the local Slack stand-in receives chat.postMessage. Events are
 * added at random phases of the poll cycle, one at a time; every wait is bounded.
 */
export async function latencySection(
  opts: BenchOptions,
): Promise<{ p50: number; p99: number; samples: number } | null> {
  const samples = opts.quick ? 4 : 40
  say(
    `\n## 5. Latency (event visible in the emulator -> Slack stand-in receives the alert; pollInterval 1s; ${samples} events)`,
  )
  const daemonModule = await optionalImport<DaemonModule>('src/daemon/daemon.js')
  const emulatorModule = await optionalImport<{ startStrictEmulator(): Promise<Emulator> }>(
    'test/helpers/strict-emulator.js',
  )
  if ('missing' in daemonModule || 'missing' in emulatorModule) {
    const why =
      'missing' in daemonModule ? daemonModule.missing : (emulatorModule as { missing: string }).missing
    skipped('latency', why)
    return null
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'seam-alerts-bench-latency-'))
  const emulator = await emulatorModule.module.startStrictEmulator()
  const slack = await startSlackStandIn()
  let daemon: { done: Promise<void>; stop(): Promise<void> } | undefined
  try {
    await mkdir(path.join(dir, 'rules'))
    const rule = {
      id: 'bench-latency',
      description: 'Every unlock, straight to Slack',
      eventTypes: ['lock.unlocked'],
      groupBy: ['device_id'],
      actions: [{ type: 'slack', channel: '#bench' }],
    }
    await writeFile(path.join(dir, 'rules', 'bench-latency.json'), JSON.stringify(rule))
    const raw = {
      seam: { endpoint: emulator.url, apiKey: emulator.apiKey, pollInterval: '1s', startFrom: 'now' },
      rules: './rules',
      state: './state.json',
      slack: { token: 'xoxb-bench-token', apiUrl: slack.apiUrl },
      server: false,
      delivery: { slackPace: '10ms' },
    }
    const config = parseConfig(raw, path.join(dir, 'config.json'), {})
    daemon = await daemonModule.module.startDaemon({ config, logger: silentLogger })
    await sleep(1_500) // first poll done
    const latencies: number[] = []
    for (let i = 0; i < samples; i++) {
      await sleep(100 + Math.random() * 1_000)
      const device = `device_lat_${String(i).padStart(3, '0')}`
      const now = new Date().toISOString()
      const visibleAt = performance.now()
      emulator.addEvent({ event_type: 'lock.unlocked', device_id: device, created_at: now, occurred_at: now })
      const received = await slack.waitFor(
        (call) => call.method === 'chat.postMessage' && JSON.stringify(call.body).includes(device),
        15_000,
      )
      if (!received) {
        say(`  event ${i + 1}: no message within 15 s; stopping the latency run`)
        break
      }
      latencies.push(received.at - visibleAt)
    }
    if (latencies.length === 0) return null
    const p50 = round(percentile(latencies, 50), 0)
    const p99 = round(percentile(latencies, 99), 0)
    say(
      `p50 ${p50} ms, p99 ${p99} ms, max ${round(Math.max(...latencies), 0)} ms over ${latencies.length} alerts`,
    )
    return { p50, p99, samples: latencies.length }
  } catch (error) {
    skipped('latency', errorText(error))
    return null
  } finally {
    await daemon?.stop().catch(() => {})
    await slack.close()
    await emulator.close()
    await rm(dir, { recursive: true, force: true })
  }
}
