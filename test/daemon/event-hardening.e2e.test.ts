import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { type StrictEmulator, startStrictEmulator } from '../helpers/strict-emulator.js'
import { type DaemonProcess, spawnCli } from './helpers/daemon-process.js'

/**
 * Issue 17, items 2, 6 and 7, against the real daemon (`seam-alerts run --once` in a child process) reading the
 * strict emulator: alerts go to the console action (stdout), the state is read back with `seam-alerts state show`.
 */

const MIN = 60_000
const iso = (ms: number) => new Date(ms).toISOString()

let emulator: StrictEmulator | undefined
let dir: string | undefined
const children: DaemonProcess[] = []

afterEach(async () => {
  for (const child of children) if (child.child.exitCode === null) child.kill('SIGKILL')
  await Promise.all(children.map((c) => c.exited))
  children.length = 0
  await emulator?.close()
  emulator = undefined
  if (dir) await rm(dir, { recursive: true, force: true })
  dir = undefined
})

interface Setup {
  config: string
  state: string
}

async function setup(rules: object[], seam: Record<string, unknown> = {}): Promise<Setup> {
  emulator = await startStrictEmulator()
  dir = await mkdtemp(path.join(os.tmpdir(), 'seam-alerts-hardening-'))
  await mkdir(path.join(dir, 'rules'))
  for (const rule of rules)
    await writeFile(path.join(dir, 'rules', `${(rule as { id: string }).id}.json`), JSON.stringify(rule))
  const config = path.join(dir, 'config.json')
  await writeFile(
    config,
    JSON.stringify({
      seam: {
        endpoint: emulator.url,
        apiKey: emulator.apiKey,
        pollInterval: '500ms',
        lookback: '1m',
        startFrom: iso(Date.now() - 10 * MIN),
        requestTimeout: '5s',
        ...seam,
      },
      rules: './rules',
      state: './state.json',
      server: false,
      monitor: { actions: [{ type: 'console' }] },
    }),
  )
  return { config, state: path.join(dir, 'state.json') }
}

/** Run the CLI to its end. */
async function cli(...args: string[]): Promise<DaemonProcess & { code: number | null }> {
  const child = spawnCli(args)
  children.push(child)
  const { code } = await child.exited
  return Object.assign(child, { code })
}

/** The rule id and event_id of every alert the console action printed. */
const alerts = (stdout: string) =>
  [...stdout.matchAll(/rule (\S+) · event_id (\S+) · \w+/g)].map((m) => ({ rule: m[1], eventId: m[2] }))

interface ShownState {
  cursor: string | null
  skippedEvents: Array<{ stage: string; eventId: string | null; origin: string; reason: string }>
}

async function stateShow(state: string): Promise<ShownState> {
  const shown = await cli('state', 'show', '--json', '--state', state)
  expect(shown.code).toBe(0)
  return JSON.parse(shown.stdout()) as ShownState
}

const lowBattery = (extra: Record<string, unknown> = {}) => ({
  id: 'low-battery',
  eventTypes: ['device.low_battery'],
  groupBy: ['device_id'],
  actions: [{ type: 'console' }],
  ...extra,
})

describe('one poison event cannot stall the cursor (issue 17 item 2)', () => {
  it('rejects an event nested 100,000 deep at ingestion, alerts on the next one, and lists it in state show', async () => {
    const { config, state } = await setup([lowBattery()])
    const now = Date.now()
    // About 200 KB: under the size limit, far over the depth limit. JSON.stringify could not even build it.
    const nest = `${'['.repeat(100_000)}${']'.repeat(100_000)}`
    const created = iso(now - 20_000)
    emulator!.addEvent({
      event_id: 'evt_deep',
      event_type: 'device.low_battery',
      created_at: created,
      json: `{"event_id":"evt_deep","event_type":"device.low_battery","created_at":"${created}","occurred_at":"${created}","device_id":"device_1","device_custom_metadata":{"nest":${nest}}}`,
    })
    const good = emulator!.addEvent({
      event_type: 'device.low_battery',
      created_at: iso(now - 10_000),
      device_id: 'device_2',
    })

    const run = await cli('run', '--once', '--config', config)
    expect(run.code, run.stderr().slice(-3000)).toBe(0)
    expect(alerts(run.stdout())).toEqual([{ rule: 'low-battery', eventId: good.event_id }])
    const warned = run.logs().find((line) => line.msg === 'skipping malformed Seam event')
    expect(warned).toMatchObject({ eventId: 'evt_deep', reason: expect.stringMatching(/nested deeper/) })

    const shown = await stateShow(state)
    expect(Date.parse(shown.cursor ?? '')).toBeGreaterThan(Date.parse(good.created_at))
    expect(shown.skippedEvents).toEqual([
      {
        at: expect.any(String),
        stage: 'rejected',
        eventId: 'evt_deep',
        eventType: null,
        origin: 'api',
        reason: '$: nested deeper than limits.eventMaxDepth (32 levels)',
      },
    ])
    const text = await cli('state', 'show', '--state', state)
    expect(text.stdout()).toMatch(
      /Skipped {7}1 recent event\(s\) not processed\n {2}\S+ {2}rejected {2}evt_deep from api: \$: nested deeper/,
    )

    // Nothing is read or logged again.
    const again = await cli('run', '--once', '--config', config)
    expect(again.code).toBe(0)
    expect(alerts(again.stdout())).toEqual([])
    expect(again.logs().some((line) => line.msg === 'skipping malformed Seam event')).toBe(false)
  }, 90_000)

  it('applies limits.eventMaxBytes from the config', async () => {
    const { config, state } = await setup([lowBattery()])
    const raw = JSON.parse(await readFile(config, 'utf8')) as Record<string, unknown>
    await writeFile(config, JSON.stringify({ ...raw, limits: { eventMaxBytes: '2KB' } }))
    const big = emulator!.addEvent({
      event_type: 'device.low_battery',
      created_at: iso(Date.now() - 20_000),
      notes: 'x'.repeat(3000),
    })
    const small = emulator!.addEvent({
      event_type: 'device.low_battery',
      created_at: iso(Date.now() - 10_000),
    })
    const run = await cli('run', '--once', '--config', config)
    expect(run.code).toBe(0)
    expect(alerts(run.stdout())).toEqual([{ rule: 'low-battery', eventId: small.event_id }])
    const shown = await stateShow(state)
    expect(shown.skippedEvents).toMatchObject([
      { stage: 'rejected', eventId: big.event_id, reason: '$: larger than limits.eventMaxBytes (2 KiB)' },
    ])
  }, 60_000)
})

describe('a cursor in the future (issue 17 item 6)', () => {
  it('is put back at start, with a monitor:clock meta-alert, and the recent events are read', async () => {
    const { config, state } = await setup([lowBattery()])
    const reset = await cli('state', 'reset', '--from', '2099-01-01T00:00:00Z', '--state', state)
    expect(reset.code).toBe(0)
    const recent = emulator!.addEvent({
      event_type: 'device.low_battery',
      created_at: iso(Date.now() - 20_000),
    })

    const run = await cli('run', '--once', '--config', config)
    expect(run.code, run.stderr().slice(-3000)).toBe(0)
    expect(alerts(run.stdout())).toEqual(
      expect.arrayContaining([
        { rule: 'seam-alerts.monitor:clock', eventId: expect.stringMatching(/^monitor:clock:/) },
        { rule: 'low-battery', eventId: recent.event_id },
      ]),
    )
    expect(alerts(run.stdout())).toHaveLength(2)
    const logged = run.logs().find((line) => String(line.msg).includes('ahead of the host clock'))
    expect(logged).toMatchObject({ level: 50, cursor: '2099-01-01T00:00:00.000Z' })

    const shown = await stateShow(state)
    expect(Date.parse(shown.cursor ?? '')).toBeLessThan(Date.now() + 1000)
    // Put back once: the next run neither alerts again nor re-reads the event.
    const again = await cli('run', '--once', '--config', config)
    expect(again.code).toBe(0)
    expect(alerts(again.stdout())).toEqual([])
  }, 90_000)
})

describe('an occurred_at in the future (issue 17 item 7)', () => {
  it('does not set the throttle to the future: later alerts of the group still go out', async () => {
    const { config } = await setup([lowBattery({ throttle: '1h' })], {
      startFrom: iso(Date.now() - 3 * 3_600_000),
    })
    const now = Date.now()
    const ahead = emulator!.addEvent({
      event_type: 'device.low_battery',
      created_at: iso(now - 150 * MIN),
      occurred_at: '2036-01-01T00:00:00.000Z',
    })
    const later = emulator!.addEvent({ event_type: 'device.low_battery', created_at: iso(now - 60 * MIN) })

    const run = await cli('run', '--once', '--config', config)
    expect(run.code, run.stderr().slice(-3000)).toBe(0)
    expect(alerts(run.stdout())).toEqual([
      { rule: 'low-battery', eventId: ahead.event_id },
      { rule: 'low-battery', eventId: later.event_id },
    ])
    const logged = run.logs().find((line) => String(line.msg).includes('limits.occurredAtSkew'))
    expect(logged).toMatchObject({
      level: 40,
      event_id: ahead.event_id,
      occurred_at: '2036-01-01T00:00:00.000Z',
    })
    expect(String(logged?.msg)).toMatch(
      /more than limits\.occurredAtSkew \(5 minutes\): the rules use its created_at/,
    )
  }, 60_000)
})
