import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { runReplay } from '../../src/rules/replay.js'
import { captureStream } from '../helpers/fixtures.js'

/** Issue 12, inhibition in replay: suppress, then release when the source resolves; order within a batch is moot. */
const dirs: string[] = []
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})

const isHub = (value: boolean) => ({
  fact: 'device_custom_metadata',
  path: '$.hub',
  operator: 'equal',
  value,
})

const SITE_OFFLINE = {
  id: 'site-offline',
  eventTypes: ['device.disconnected'],
  conditions: { all: [isHub(true)] },
  groupBy: ['device_id'],
  resolve: { eventTypes: ['device.connected'], conditions: { all: [isHub(true)] } },
}
/** Sorts before site-offline: its decisions come first in a batch, and are still judged after the source's. */
const DEVICE_OFFLINE = {
  id: 'device-offline',
  eventTypes: ['device.disconnected'],
  groupBy: ['device_id'],
  resolve: { eventTypes: ['device.connected'] },
  inhibitedBy: [{ rule: 'site-offline', equal: ['device_custom_metadata.site'] }],
}

async function replay(
  rules: Record<string, unknown>[],
  events: Record<string, unknown>[],
  timeIntervals?: Record<string, { weekdays: string[] }[]>,
) {
  const dir = await mkdtemp(path.join(tmpdir(), 'replay-inhibition-'))
  dirs.push(dir)
  await mkdir(path.join(dir, 'rules'))
  for (const rule of rules)
    await writeFile(path.join(dir, 'rules', `${String(rule.id)}.json`), JSON.stringify(rule))
  const file = path.join(dir, 'events.jsonl')
  await writeFile(file, `${events.map((e) => JSON.stringify(e)).join('\n')}\n`)
  const stdout = captureStream()
  const stderr = captureStream()
  const summary = await runReplay({
    events: file,
    rules: path.join(dir, 'rules'),
    stdout: stdout.stream,
    stderr: stderr.stream,
    env: {},
    ...(timeIntervals ? { timeIntervals } : {}),
  })
  return { summary, lines: stdout.text().trim().split('\n'), stderr: stderr.text() }
}

let minute = 0
const device = (type: string, id: string, site: string, hub = false) => {
  const at = new Date(Date.UTC(2026, 0, 1, 0, minute++)).toISOString()
  return {
    event_id: `evt_${minute}`,
    event_type: type,
    created_at: at,
    occurred_at: at,
    device_id: id,
    device_custom_metadata: { site, hub },
  }
}

describe('replay: inhibitedBy', () => {
  it('marks inhibited alerts on their line, and releases them when the source incident resolves', async () => {
    minute = 0
    const events = [
      device('device.disconnected', 'hub_hq', 'hq', true), // evt_1: site-offline fires; its own device alert is held
      device('device.disconnected', 'dev_a', 'hq'), // evt_2: held (same site)
      device('device.disconnected', 'dev_b', 'branch'), // evt_3: another site, sent
      device('device.connected', 'hub_hq', 'hq', true), // evt_4: source resolves; hub's device resolve stays held
      device('device.disconnected', 'dev_c', 'hq'), // evt_5: released, sent
      device('device.connected', 'dev_a', 'hq'), // evt_6: resolve of a held fire: held too
      device('device.connected', 'dev_c', 'hq'), // evt_7: resolve of a sent fire: sent
    ]
    const { summary, lines, stderr } = await replay([SITE_OFFLINE, DEVICE_OFFLINE], events)
    expect(stderr).toBe('')
    expect(summary.exitCode).toBe(0)
    const by =
      '"inhibited":true,"inhibitedBy":{"rule":"site-offline","group":{"device_id":"hub_hq"},"event_id":"evt_1"}'
    const line = (rule: string, kind: string, id: string, evt: number, inhibited: boolean) =>
      `{"rule":"${rule}","kind":"${kind}","group":{"device_id":"${id}"},"event_id":"evt_${evt}","at":"${events[evt - 1]!.occurred_at}","count":1,"suppressed":0${inhibited ? `,${by}` : ''}}`
    expect(lines).toEqual([
      line('device-offline', 'fire', 'hub_hq', 1, true),
      line('site-offline', 'fire', 'hub_hq', 1, false),
      line('device-offline', 'fire', 'dev_a', 2, true),
      line('device-offline', 'fire', 'dev_b', 3, false),
      line('device-offline', 'resolve', 'hub_hq', 4, true),
      line('site-offline', 'resolve', 'hub_hq', 4, false),
      line('device-offline', 'fire', 'dev_c', 5, false),
      line('device-offline', 'resolve', 'dev_a', 6, true),
      line('device-offline', 'resolve', 'dev_c', 7, false),
    ])
  })

  it('a source without resolve is open for its throttle after each fire', async () => {
    minute = 0
    const source = { ...SITE_OFFLINE, throttle: '2m' } as Record<string, unknown>
    delete source.resolve
    const target = { ...DEVICE_OFFLINE } as Record<string, unknown>
    delete target.resolve
    const events = [
      device('device.disconnected', 'hub_hq', 'hq', true), // 00:00 source fires, open until 00:02
      device('device.disconnected', 'dev_a', 'hq'), // 00:01 held
      device('device.disconnected', 'dev_b', 'hq'), // 00:02 the throttle has passed: sent
    ]
    const { lines } = await replay([source, target], events)
    expect(
      lines.map((l) => JSON.parse(l) as { rule: string; event_id: string; inhibited?: boolean }),
    ).toEqual([
      expect.objectContaining({ rule: 'device-offline', event_id: 'evt_1', inhibited: true }),
      expect.objectContaining({ rule: 'site-offline', event_id: 'evt_1' }),
      expect.objectContaining({ rule: 'device-offline', event_id: 'evt_2', inhibited: true }),
      expect.not.objectContaining({ inhibited: true }),
    ])
    expect(JSON.parse(lines[3]!)).toMatchObject({ rule: 'device-offline', event_id: 'evt_3' })
  })
})

describe('replay: muteTimes', () => {
  it('are wall-clock routing: ignored, with one note on stderr naming the rules that have them', async () => {
    minute = 0
    const muted = { ...DEVICE_OFFLINE, inhibitedBy: [], muteTimes: ['always'] }
    const always = { always: [{ weekdays: ['sunday:saturday'] }] }
    const { summary, lines, stderr } = await replay(
      [muted],
      [device('device.disconnected', 'dev_a', 'hq')],
      always,
    )
    expect(summary.exitCode).toBe(0)
    expect(lines).toHaveLength(1)
    expect(JSON.parse(lines[0]!)).toMatchObject({ rule: 'device-offline', kind: 'fire', event_id: 'evt_1' })
    expect(stderr).toBe(
      'replay: muteTimes are wall-clock routing and are ignored here (rules: device-offline); so are silences\n',
    )
    // Without a config the names cannot be checked, and replay does not need them: still no problem.
    const bare = await replay([muted], [device('device.disconnected', 'dev_b', 'hq')])
    expect(bare.summary.exitCode).toBe(0)
    expect(bare.lines).toHaveLength(1)
  })
})
