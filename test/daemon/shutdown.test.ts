import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/config.js'
import { type DaemonHandle, startDaemon } from '../../src/daemon/daemon.js'
import type { State } from '../../src/state/state-schema.js'
import { captureLogger } from '../helpers/fixtures.js'
import { type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js'
import { eventually, startStalledHttp } from '../helpers/stalled-server.js'
import { type StrictEmulator, startStrictEmulator } from '../helpers/strict-emulator.js'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** A rules directory with one rule (lock.unlocked -> Slack #doors) and a config for it; state in the same dir. */
async function configFor(seam: { url: string; apiKey: string }, slackApiUrl: string, startFrom = 'now') {
  const dir = await mkdtemp(path.join(tmpdir(), 'seam-alerts-shutdown-'))
  cleanups.push(() => rm(dir, { recursive: true, force: true }))
  await mkdir(path.join(dir, 'rules'))
  const rule = {
    id: 'unlocked',
    eventTypes: ['lock.unlocked'],
    actions: [{ type: 'slack', channel: '#doors' }],
  }
  await writeFile(path.join(dir, 'rules', 'unlocked.json'), JSON.stringify(rule))
  const raw = {
    seam: {
      endpoint: seam.url,
      apiKey: seam.apiKey,
      pollInterval: '200ms',
      requestTimeout: '60s',
      startFrom,
    },
    slack: { token: 'xoxb-shutdown-test', apiUrl: slackApiUrl },
    rules: './rules',
    state: './state.json',
    server: false,
  }
  return {
    dir,
    config: (apiUrl = slackApiUrl) =>
      parseConfig({ ...raw, slack: { ...raw.slack, apiUrl } }, path.join(dir, 'config.json'), {}),
  }
}

async function start(config: ReturnType<typeof parseConfig>, stopTimeoutMs: number) {
  const log = captureLogger()
  const daemon: DaemonHandle = await startDaemon({ config, logger: log.logger, stopTimeoutMs })
  cleanups.push(() => daemon.stop())
  return { daemon, log }
}

const errorsIn = (lines: Record<string, unknown>[]) => lines.filter((line) => Number(line.level) >= 50)
const savedState = async (dir: string) =>
  JSON.parse(await readFile(path.join(dir, 'state.json'), 'utf8')) as State

describe('daemon shutdown', () => {
  it('aborts a fetch hanging on a stalled Seam API: stop() ends it, nothing fails, the cursor stays', async () => {
    const stalled = await startStalledHttp()
    cleanups.push(stalled.close)
    const { dir, config } = await configFor({ url: stalled.url, apiKey: 'seam_k' }, 'http://127.0.0.1:9/api/')
    const { daemon, log } = await start(config(), 5_000)
    expect(await eventually(() => stalled.requests.length === 1, 10_000)).toBe(true)
    await daemon.stop()
    await expect(daemon.done).resolves.toBeUndefined()
    // The server never answers and the request timeout is 60 s: only the stop can have closed the connection.
    expect(await eventually(() => stalled.requests[0]?.closed === true)).toBe(true)
    expect(stalled.requests).toHaveLength(1)
    expect(errorsIn(log.lines)).toEqual([])
    expect(log.lines.some((line) => line.msg === 'seam-alerts stopped')).toBe(true)
    expect((await savedState(dir)).source.cursor).toBeNull()
  })

  it('aborts a send to a Slack that never answers: it stays queued, not failed, and goes out after a restart', async () => {
    const emulator: StrictEmulator = await startStrictEmulator()
    cleanups.push(emulator.close)
    const hung = await startStalledHttp()
    cleanups.push(hung.close)
    const startFrom = new Date(Date.now() - 60_000).toISOString()
    const { dir, config } = await configFor(emulator, `${hung.url}/api/`, startFrom)
    const event = emulator.addEvent({
      event_type: 'lock.unlocked',
      created_at: new Date(Date.now() - 1000).toISOString(),
    })

    const first = await start(config(), 300)
    const post = () => hung.requests.find((r) => r.path.endsWith('/chat.postMessage'))
    expect(await eventually(() => post() !== undefined, 10_000)).toBe(true)
    await first.daemon.stop()
    expect(await eventually(() => post()?.closed === true)).toBe(true)
    const saved = await savedState(dir)
    expect(saved.outbox).toMatchObject([{ target: 'slack:#doors', attempts: 0 }])
    expect(saved.deadLetters).toEqual([])
    expect(saved.sent).toEqual([])
    const outcomes = (await first.daemon.metrics.deliveries.get()).values
    expect(outcomes).toEqual([])
    expect(
      first.log.lines.some((line) => line.msg === 'stopped with sends in flight; they stay queued'),
    ).toBe(true)
    expect(errorsIn(first.log.lines)).toEqual([])

    const slack: SlackStandIn = await startSlackStandIn()
    cleanups.push(slack.close)
    const second = await start(config(slack.apiUrl), 5_000)
    expect(await eventually(() => slack.posted().length === 1, 10_000)).toBe(true)
    expect(String(slack.posted()[0]?.body.text)).toContain(event.event_id)
    await second.daemon.stop()
    const after = await savedState(dir)
    expect(after.outbox).toEqual([])
    expect(after.sent).toHaveLength(1)
  })
})
