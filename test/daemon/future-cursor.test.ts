import { readFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { PassThrough } from 'node:stream'
import { afterEach, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/config.js'
import { type DaemonHandle, startDaemon } from '../../src/daemon/daemon.js'
import { captureLogger } from '../helpers/fixtures.js'
import { type StrictEmulator, startStrictEmulator } from '../helpers/strict-emulator.js'

const iso = (ms: number) => new Date(ms).toISOString()
const DAY = 86_400_000

let emulator: StrictEmulator | undefined
let daemon: DaemonHandle | undefined
let dir: string | undefined

afterEach(async () => {
  await daemon?.stop()
  daemon = undefined
  await emulator?.close()
  emulator = undefined
  if (dir) await rm(dir, { recursive: true, force: true })
  dir = undefined
})

async function until<T>(check: () => T | undefined | false, what: string, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const value = check()
    if (value) return value
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe('a host clock that jumps forward and back while the daemon runs (issue 17 item 6)', () => {
  it('puts the cursor back, raises seam-alerts.monitor:clock, and alerts on new events without repeating old ones', async () => {
    // The host clock: real time plus an offset the test jumps.
    let offset = 0
    const clock = { now: () => Date.now() + offset }
    const start = clock.now()
    emulator = await startStrictEmulator({ clock: clock.now })
    dir = await mkdtemp(path.join(os.tmpdir(), 'seam-alerts-clock-'))
    await mkdir(path.join(dir, 'rules'))
    await writeFile(
      path.join(dir, 'rules', 'tampered.json'),
      JSON.stringify({ id: 'tampered', eventTypes: ['device.tampered'], actions: [{ type: 'console' }] }),
    )
    const config = parseConfig(
      {
        seam: {
          endpoint: emulator.url,
          apiKey: emulator.apiKey,
          pollInterval: '200ms',
          lookback: '1m',
          startFrom: iso(start - 60_000),
          requestTimeout: '5s',
        },
        rules: './rules',
        state: './state.json',
        server: false,
        monitor: { actions: [{ type: 'console' }] },
      },
      path.join(dir, 'config.json'),
      {},
    )
    const out = new PassThrough()
    let printed = ''
    out.on('data', (chunk) => (printed += chunk))
    const alerts = () =>
      [...printed.matchAll(/rule (\S+) · event_id (\S+) · /g)].map((m) => `${m[1]} ${m[2]}`)
    const log = captureLogger()
    const before = emulator.addEvent({ event_type: 'device.tampered', created_at: iso(start - 10_000) })
    daemon = await startDaemon({ config, logger: log.logger, clock, consoleStream: out })
    await until(() => alerts().length === 1, 'the first alert')

    // The host clock jumps a day ahead: the cursor follows it.
    offset = DAY
    const cursorOf = () => {
      try {
        return (JSON.parse(readFileSync(config.state, 'utf8')) as { source: { cursor: string | null } })
          .source.cursor
      } catch {
        return undefined // between the write and the rename
      }
    }
    await until(() => {
      const c = cursorOf()
      return typeof c === 'string' && Date.parse(c) >= start + DAY - 1000
    }, 'the cursor to run a day ahead')

    // ... and back. Only seconds have really passed: a new event must still alert, the old one not again.
    const after = emulator.addEvent({ event_type: 'device.tampered', created_at: iso(Date.now() - 500) })
    offset = 0
    const back = Date.now()
    await until(() => alerts().length >= 3, 'the clock meta-alert and the new alert')
    await new Promise((resolve) => setTimeout(resolve, 1000)) // a few more polls: nothing else may come
    expect(alerts()).toEqual([
      `tampered ${before.event_id}`,
      expect.stringMatching(/^seam-alerts\.monitor:clock monitor:clock:\S+$/),
      `tampered ${after.event_id}`,
    ])
    // The re-read window held the first event again: its seen id (kept from the newest event's time, not the
    // cursor's) kept it from being handed on twice, not just the outbox's duplicate check.
    const fetched = (await daemon.metrics.eventsFetched.get()).values[0]?.value
    expect(fetched).toBe(2)
    const logged = log.lines.filter((l) => String(l.msg).includes('ahead of the host clock'))
    expect(logged).toHaveLength(1)
    expect(logged[0]).toMatchObject({ level: 50 })
    const detectedAt = Date.parse(String(logged[0]!.now))
    expect(detectedAt).toBeGreaterThanOrEqual(back)
    expect(String(logged[0]!.msg)).toContain(`reading again from ${iso(detectedAt - 60_000)}`)
  }, 60_000)
})
