import type { Clock } from '../clock.js'
import { errorMessage } from '../errors.js'
import { ownMap } from '../frozen.js'
import type { Logger } from '../log.js'
import type { StateAccess } from '../state/store.js'

/** What the daemon passes in: the Seam client's getDevice (POST /devices/get). */
export type DeviceLookup = (
  deviceId: string,
) => Promise<{ display_name?: string; properties?: { name?: string } } | undefined>

export interface DeviceNamesOptions {
  state: StateAccess
  lookup: DeviceLookup
  clock: Clock
  logger: Logger
  /** How long a cached name is fresh (`retention.deviceNames`, default 1 day). */
  ttlMs?: number
  /** Longest an alert waits for a lookup (default 2 s); after that it goes out with the id. */
  timeoutMs?: number
  /** After a failed lookup, do not ask again for this long (default 1 min). */
  failureBackoffMs?: number
}

/**
 * Device display names for alerts, cached in state.devices with fetchedAt. A lookup never blocks an alert
 * for long and never fails it: on error or timeout the caller gets the stale name or undefined (the id is shown).
 */
export class DeviceNames {
  private readonly failedAt = new Map<string, number>()
  private readonly inFlight = new Map<string, Promise<string | undefined>>()
  constructor(private readonly opts: DeviceNamesOptions) {}

  /** Bound as a function so it can be passed as DeliveryWorker's `deviceName`. */
  readonly deviceName = (deviceId: string): Promise<string | undefined> => {
    const { clock, state } = this.opts
    const now = clock.now()
    const cached = state.current().devices[deviceId]
    if (cached && now - cached.fetchedAt < (this.opts.ttlMs ?? 86_400_000))
      return Promise.resolve(cached.name)
    const failed = this.failedAt.get(deviceId)
    if (failed !== undefined && now - failed < (this.opts.failureBackoffMs ?? 60_000)) {
      return Promise.resolve(cached?.name)
    }
    const running = this.inFlight.get(deviceId)
    if (running) return running
    const lookup = this.fetch(deviceId, cached?.name).finally(() => this.inFlight.delete(deviceId))
    this.inFlight.set(deviceId, lookup)
    return lookup
  }

  private async fetch(deviceId: string, stale: string | undefined): Promise<string | undefined> {
    const { clock, logger, state } = this.opts
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('device lookup timed out')), this.opts.timeoutMs ?? 2000)
    })
    try {
      const device = await Promise.race([this.opts.lookup(deviceId), timeout])
      const name = device?.display_name || device?.properties?.name
      if (!name) return stale
      const fetchedAt = clock.now()
      // Cache write in the background: an alert never waits for the state file.
      state
        .update((draft) => {
          ownMap(draft, 'devices')[deviceId] = { name, fetchedAt }
        })
        .catch((error) => logger.warn({ deviceId, err: errorMessage(error) }, 'could not cache device name'))
      return name
    } catch (error) {
      this.failedAt.set(deviceId, clock.now())
      logger.warn({ deviceId, err: errorMessage(error) }, 'device name lookup failed; using the id')
      return stale
    } finally {
      clearTimeout(timer)
    }
  }
}
