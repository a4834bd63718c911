/**
 * The sandbox's story: a small property whose devices keep producing realistic Seam events, so the shipped rules
 * in rules/ have something to alert on. Each step adds one or more events; the steps loop with some variation.
 */

/** What a scenario step adds: an event without the fields the fake fills in (id, times, workspace). */
export type ScenarioEvent = { event_type: string } & Record<string, unknown>

export interface ScenarioDevices {
  connectedAccountId: string
  frontDoor: string
  backDoor: string
  thermostat: string
  noiseSensor: string
  sideDoor: string
}

/** The steps, in order. Round numbers let a step vary (the battery keeps draining). */
export function scenarioSteps(d: ScenarioDevices): Array<(round: number) => ScenarioEvent[]> {
  const account = { connected_account_id: d.connectedAccountId }
  const denied = (code: string): ScenarioEvent => ({
    event_type: 'lock.access_denied',
    device_id: d.frontDoor,
    access_code_id: code,
    ...account,
  })
  return [
    // A battery running low on the back door.
    (round) => [
      {
        event_type: 'device.low_battery',
        device_id: d.backDoor,
        battery_level: Math.max(0.02, 0.15 - round * 0.04),
        ...account,
      },
      {
        event_type: 'device.battery_status_changed',
        device_id: d.backDoor,
        battery_level: Math.max(0.02, 0.15 - round * 0.04),
        battery_status: 'low',
        ...account,
      },
    ],
    // Someone keeps trying a wrong code on the front door.
    () => [denied('access_code_guest_1'), denied('access_code_guest_1')],
    () => [denied('access_code_guest_1')],
    // The noise sensor drops off the network ...
    () => [
      {
        event_type: 'device.disconnected',
        device_id: d.noiseSensor,
        error_code: 'device_offline',
        ...account,
      },
    ],
    () => [denied('access_code_guest_1'), denied('access_code_guest_2')],
    () => [denied('access_code_guest_2'), denied('access_code_guest_2')],
    // ... and comes back a little later.
    () => [{ event_type: 'device.connected', device_id: d.noiseSensor, ...account }],
    () => [
      {
        event_type: 'noise_sensor.noise_threshold_triggered',
        device_id: d.noiseSensor,
        noise_level_decibels: 78,
        noise_threshold_name: 'Quiet hours',
        ...account,
      },
    ],
    () => [
      {
        event_type: 'thermostat.temperature_threshold_exceeded',
        device_id: d.thermostat,
        temperature_celsius: 31.5,
        temperature_fahrenheit: 88.7,
        upper_limit_celsius: 28,
        upper_limit_fahrenheit: 82.4,
        lower_limit_celsius: 15,
        lower_limit_fahrenheit: 59,
        ...account,
      },
    ],
    () => [{ event_type: 'device.tampered', device_id: d.sideDoor, ...account }],
    () => [
      {
        event_type: 'access_code.failed_to_set_on_device',
        device_id: d.frontDoor,
        access_code_id: 'access_code_cleaner',
        ...account,
      },
    ],
    // Ordinary traffic.
    () => [
      {
        event_type: 'lock.unlocked',
        device_id: d.frontDoor,
        method: 'keycode',
        access_code_id: 'access_code_cleaner',
        ...account,
      },
      { event_type: 'lock.locked', device_id: d.frontDoor, method: 'manual', ...account },
    ],
    () => [
      {
        event_type: 'connected_account.disconnected',
        connected_account_errors: [],
        ...account,
      },
    ],
    () => [{ event_type: 'connected_account.connected', ...account }],
  ]
}

/** Runs the steps on a timer, one step every `stepMs`, looping. */
export class Scenario {
  private timer: NodeJS.Timeout | undefined
  private index = 0
  private round = 0
  private readonly steps: Array<(round: number) => ScenarioEvent[]>

  constructor(
    private readonly opts: {
      devices: ScenarioDevices
      addEvent: (event: ScenarioEvent) => void
      stepMs: number
      /** Delay before the first step. */
      firstStepMs?: number
      onError?: (error: unknown) => void
    },
  ) {
    this.steps = scenarioSteps(opts.devices)
  }

  start(): void {
    this.schedule(this.opts.firstStepMs ?? this.opts.stepMs)
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
  }

  /** Run the next step now (also used by tests). */
  step(): ScenarioEvent[] {
    const step = this.steps[this.index]!
    const events = step(this.round)
    for (const event of events) this.opts.addEvent(event)
    this.index += 1
    if (this.index >= this.steps.length) {
      this.index = 0
      this.round += 1
    }
    return events
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => {
      try {
        this.step()
      } catch (error) {
        this.opts.onError?.(error)
      }
      this.schedule(this.opts.stepMs)
    }, ms)
    this.timer.unref()
  }
}
