import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { manualClock } from '../../src/clock.js'
import { silentLogger } from '../../src/log.js'
import { ConsoleNotifier } from '../../src/notify/console.js'
import { DeviceNames } from '../../src/notify/device-names.js'
import { enqueueDecisions } from '../../src/notify/outbox.js'
import { SeamClient } from '../../src/source/seam-client.js'
import { type FakeSeam, startFakeSeam } from '../helpers/fake-seam.js'
import { openState, T0 } from '../helpers/fixtures.js'
import { decision, makeWorker } from './helpers.js'

let seam: FakeSeam
let client: SeamClient
beforeAll(async () => {
  seam = await startFakeSeam()
  client = new SeamClient({ endpoint: seam.url, apiKey: seam.apiKey, requestTimeoutMs: 5000 })
})
afterAll(async () => {
  await seam?.close()
})

async function settle(state: { current(): { devices: Record<string, unknown> } }, id: string) {
  for (let i = 0; i < 100 && !state.current().devices[id]; i++) await new Promise((r) => setTimeout(r, 5))
}

describe('device names', () => {
  it('looks the name up through /devices/get, caches it in state.devices, and uses the cache', async () => {
    const state = await openState()
    const clock = manualClock(T0)
    let calls = 0
    const names = new DeviceNames({
      state,
      clock,
      logger: silentLogger,
      lookup: (id) => {
        calls++
        return client.getDevice(id)
      },
    })
    const id = seam.deviceIds[0]!
    const device = await client.getDevice(id)
    const expected = device?.display_name || device?.properties?.name
    expect(expected).toBeTruthy()
    expect(await names.deviceName(id)).toBe(expected)
    await settle(state, id)
    expect(state.current().devices[id]).toEqual({ name: expected, fetchedAt: T0 })
    expect(await names.deviceName(id)).toBe(expected)
    expect(calls).toBe(1)
    clock.advance(2 * 86_400_000) // past the TTL: asks again
    await names.deviceName(id)
    expect(calls).toBe(2)
  })

  it('falls back to the id when the lookup fails or hangs, and the alert still goes out', async () => {
    const state = await openState()
    const clock = manualClock(T0)
    const broken = new SeamClient({ endpoint: seam.url, apiKey: 'seam_wrong_key', requestTimeoutMs: 5000 })
    const failing = new DeviceNames({
      state,
      clock,
      logger: silentLogger,
      lookup: (id) => broken.getDevice(id),
    })
    expect(await failing.deviceName(seam.deviceIds[0]!)).toBeUndefined()
    const hanging = new DeviceNames({
      state,
      clock,
      logger: silentLogger,
      timeoutMs: 50,
      lookup: () => new Promise(() => {}),
    })
    expect(await hanging.deviceName('dev_1')).toBeUndefined()

    const chunks: string[] = []
    const stream = new (await import('node:stream')).PassThrough()
    stream.on('data', (c: Buffer) => chunks.push(c.toString()))
    await state.update((d) =>
      enqueueDecisions(d, [decision()], () => ({ actions: [{ type: 'console' }] }), 1),
    )
    const names = new DeviceNames({
      state,
      clock,
      logger: silentLogger,
      timeoutMs: 50,
      lookup: () => new Promise(() => {}),
    })
    const { worker } = makeWorker({
      state,
      notifiers: { console: new ConsoleNotifier({ stream }) },
      deviceName: names.deviceName,
      realSleep: true,
    })
    await worker.drain(5000)
    expect(state.current().sent).toHaveLength(1)
    expect(chunks.join('')).toContain('dev_1')
  })
})
