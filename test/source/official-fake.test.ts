import { afterEach, describe, expect, it } from 'vitest'
import { manualClock } from '../../src/clock.js'
import type { SeamAlertsError } from '../../src/errors.js'
import { SourceUnavailableError } from '../../src/source/errors.js'
import { emptyCheckpoint } from '../../src/source/event-source.js'
import { type FakeSeam, startFakeSeam } from '../helpers/fake-seam.js'
import { at, MIN } from '../helpers/fixtures.js'
import { drain, expectStrictlyOrdered, makeSource } from './support.js'

let fake: FakeSeam | undefined
afterEach(async () => {
  await fake?.close()
  fake = undefined
})

describe('ApiEventSource against the official fake Seam', () => {
  it('reads the seeded event and added ones once, in order, even though the fake ignores limit and offset', async () => {
    fake = await startFakeSeam()
    const now = Date.now()
    const clock = manualClock(now + 1000)
    const { source } = makeSource({
      url: fake.url,
      apiKey: fake.apiKey,
      clock,
      startFrom: at(now - 10 * MIN),
    })
    const added = Array.from({ length: 620 }, (_, i) =>
      fake!.addEvent({ created_at: at(now - 5 * MIN + i * 100), device_id: fake!.deviceIds[i % 3] }),
    )
    const first = await drain(source, emptyCheckpoint())
    expectStrictlyOrdered(first.events)
    const ids = first.events.map((e) => e.event_id)
    expect(ids).toContain('event1') // the seed's device.connected
    for (const event of added) expect(ids).toContain(event.event_id)
    expect(first.events.find((e) => e.event_id === 'event1')).toMatchObject({
      event_type: 'device.connected',
    })

    const late = fake.addEvent({ created_at: at(now + 500), event_type: 'lock.locked' })
    clock.advance(30_000)
    const next = await source.fetch(first.checkpoint)
    expect(next.events.map((e) => e.event_id)).toEqual([late.event_id])
  })

  it('retries through an outage and loses nothing once it ends', async () => {
    fake = await startFakeSeam()
    const now = Date.now()
    const clock = manualClock(now)
    const { source } = makeSource({ url: fake.url, apiKey: fake.apiKey, clock, startFrom: at(now - MIN) })
    const checkpoint = (await source.fetch(emptyCheckpoint())).checkpoint
    const events = [1, 2, 3].map((i) => fake!.addEvent({ created_at: at(now + i * 1000) }))
    clock.advance(30_000)
    fake.outage(true)
    const fail = await source.fetch(checkpoint).catch((e: unknown) => e)
    expect(fail).toBeInstanceOf(SourceUnavailableError)
    expect((fail as Error).message).toContain('HTTP 503')

    const retrying = makeSource({
      url: fake.url,
      apiKey: fake.apiKey,
      clock,
      startFrom: at(now - MIN),
      sleep: async () => {
        if (retrying.source.stats.retries >= 2) fake!.outage(false)
      },
    })
    const batch = await retrying.source.fetch(checkpoint)
    expect(retrying.source.stats.retries).toBe(2)
    expect(batch.events.map((e) => e.event_id)).toEqual(events.map((e) => e.event_id))
  })

  it('reports a wrong key as SEAM_AUTH and reads device names', async () => {
    fake = await startFakeSeam()
    const clock = manualClock(Date.now())
    const { source } = makeSource({
      url: fake.url,
      apiKey: 'seam_apikey_wrong',
      clock,
      startFrom: at(Date.now() - MIN),
    })
    const error = await source.fetch(emptyCheckpoint()).catch((e: unknown) => e)
    expect((error as SeamAlertsError).code).toBe('SEAM_AUTH')
    const good = makeSource({ url: fake.url, apiKey: fake.apiKey })
    expect(await good.client.getDevice('august_device_1')).toMatchObject({
      device_id: 'august_device_1',
      properties: { name: expect.any(String) },
    })
  })
})
