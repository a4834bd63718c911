import type { AddressInfo } from 'node:net'
import { createFake, type Fake } from '@seamapi/fake-seam-connect'
import type { SeamEvent } from '../../src/source/event.js'

export interface FakeSeam {
  /** Base URL on 127.0.0.1 (never "localhost", which may resolve to ::1). */
  url: string
  apiKey: string
  workspaceId: string
  /** Devices of the seeded workspace (august_device_1 first). */
  deviceIds: string[]
  /** Add an event to the seeded workspace. Defaults: event_type `lock.unlocked`, the first device, created now. */
  addEvent(event?: Partial<SeamEvent>): SeamEvent
  /** Start (true) or end (false) an outage: /events/list answers 503 with an empty body while on. */
  outage(on: boolean): void
  /** The underlying official fake, for anything not wrapped here. */
  fake: Fake
  close(): Promise<void>
}

/** The official @seamapi/fake-seam-connect, seeded and listening on an ephemeral port on 127.0.0.1. */
export async function startFakeSeam(): Promise<FakeSeam> {
  const fake = await createFake()
  const seed = await fake.seed()
  const server = await fake.startServer({ port: 0 })
  const port = (server.server.address() as AddressInfo).port
  const workspaceId: string = seed.seed_workspace_1
  // fake.database is a hoisted zustand store: state and methods are read live from it.
  const db = fake.database
  const deviceIds = db.devices
    .filter((device) => device.workspace_id === workspaceId)
    .map((device) => device.device_id)
  return {
    url: `http://127.0.0.1:${port}`,
    apiKey: seed.seam_apikey1_token,
    workspaceId,
    deviceIds,
    fake,
    addEvent(event = {}) {
      const params = {
        event_type: 'lock.unlocked',
        workspace_id: workspaceId,
        device_id: deviceIds[0],
        ...event,
      }
      // The fake's Event type is a union of 96 shapes; the runtime accepts any of them.
      return db.addEvent(params as Parameters<typeof db.addEvent>[0]) as unknown as SeamEvent
    },
    outage(on) {
      if (on) db.simulateWorkspaceOutage(workspaceId, { routes: ['/events/list'] })
      else db.simulateWorkspaceOutageRecovery(workspaceId)
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.server.close(() => resolve())
        server.server.closeAllConnections?.()
      })
    },
  }
}
