import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { manualClock } from '../../src/clock.js'

export { manualClock }

import { configSchema } from '../../src/config.js'
import { silentLogger } from '../../src/log.js'
import type { ChannelKind, Notifiers } from '../../src/notify/channels.js'
import { DeliveryWorker } from '../../src/notify/delivery-worker.js'
import type { Action } from '../../src/rules/action-schema.js'
import type { Decision } from '../../src/rules/decision.js'
import { MemoryStore } from '../../src/state/memory-store.js'
import { StateHolder } from '../../src/state/state-holder.js'
import { emptyState, type State } from '../../src/state/state-schema.js'
import type { StateAccess } from '../../src/state/store.js'

export const T0 = Date.parse('2026-03-01T12:00:00.000Z')

export function decision(over: Partial<Decision> = {}): Decision {
  const event_id = over.event_id ?? 'evt_1'
  const at = over.at ?? '2026-03-01T12:00:00.000Z'
  return {
    rule: 'battery-low',
    kind: 'fire',
    group: { device_id: 'dev_1' },
    event_id,
    at,
    count: 1,
    suppressed: 0,
    event: {
      event_id,
      event_type: 'device.low_battery',
      created_at: at,
      occurred_at: at,
      device_id: 'dev_1',
      battery_level: 0.1,
    },
    ...over,
  }
}

export async function openState(initial?: State): Promise<StateAccess> {
  return StateHolder.open(new MemoryStore(initial ?? null), { initial: emptyState, logger: silentLogger })
}

export const delivery = (over: Partial<ReturnType<typeof configSchema.parse>['delivery']> = {}) => ({
  ...configSchema.parse({}).delivery,
  ...over,
})

/** A worker on a manual clock whose sleep advances the clock (no real waiting). */
export function makeWorker(opts: {
  state: StateAccess
  notifiers: Notifiers
  actions?: Record<string, Action>
  delivery?: Partial<ReturnType<typeof delivery>>
  deviceName?: (id: string) => Promise<string | undefined>
  outcomes?: Array<{ outcome: string; id: string; error?: string }>
  realSleep?: boolean
  clock?: ReturnType<typeof manualClock>
}) {
  const clock = opts.clock ?? manualClock(T0)
  const worker = new DeliveryWorker({
    state: opts.state,
    notifiers: opts.notifiers,
    resolveAction: (ref) => opts.actions?.[ref],
    ruleInfo: (id) => ({ description: `Rule ${id}`, severity: 'critical' }),
    deviceName: opts.deviceName,
    clock,
    logger: silentLogger,
    delivery: delivery(opts.delivery),
    timezone: 'Europe/Paris',
    random: () => 0.5,
    onOutcome: (outcome, item, error) => opts.outcomes?.push({ outcome, id: item.id, error }),
    sleep: opts.realSleep
      ? undefined
      : async (ms) => {
          clock.advance(ms)
        },
  })
  return { worker, clock }
}

export type { ChannelKind }

// ---------------------------------------------------------------- Slack Web API stand-in

export interface SlackCall {
  method: string
  contentType: string
  auth: string | undefined
  body: Record<string, unknown>
}

export interface SlackReply {
  status?: number
  headers?: Record<string, string>
  body?: unknown
  /** Never answer (a hung target). */
  hang?: boolean
}

/** A node:http server implementing chat.postMessage (form or JSON bodies). */
export async function startSlackStandIn(script?: (call: SlackCall, nth: number) => SlackReply | undefined) {
  const calls: SlackCall[] = []
  const hung: ServerResponse[] = []
  const waiters: Array<{ pred: (c: SlackCall) => boolean; resolve: (c: SlackCall) => void }> = []
  let ts = 1000
  const server: Server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const raw = await readBody(req)
    const contentType = String(req.headers['content-type'] ?? '')
    const body = parseBody(raw, contentType)
    const call: SlackCall = {
      method: (req.url ?? '').replace(/^.*\//, ''),
      contentType,
      auth: req.headers.authorization,
      body,
    }
    calls.push(call)
    for (const w of waiters.splice(0)) {
      if (w.pred(call)) w.resolve(call)
      else waiters.push(w)
    }
    const reply = script?.(call, calls.length) ?? {}
    if (reply.hang) {
      hung.push(res)
      return
    }
    const channel = String(body.channel ?? '').replace(/^#/, 'C_')
    res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers })
    res.end(
      JSON.stringify(reply.body ?? { ok: true, channel, ts: `1772366400.${String(ts++).padStart(6, '0')}` }),
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    url: `http://127.0.0.1:${port}`,
    calls,
    posted: () => calls.filter((c) => c.method === 'chat.postMessage'),
    waitFor: (pred: (c: SlackCall) => boolean) =>
      new Promise<SlackCall>((resolve) => {
        const found = calls.find(pred)
        if (found) resolve(found)
        else waiters.push({ pred, resolve })
      }),
    async close() {
      for (const res of hung) res.destroy()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

function parseBody(raw: string, contentType: string): Record<string, unknown> {
  if (contentType.includes('application/json')) return JSON.parse(raw || '{}') as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const [key, value] of new URLSearchParams(raw)) {
    out[key] = value.startsWith('[') || value.startsWith('{') ? JSON.parse(value) : value
  }
  return out
}

// ---------------------------------------------------------------- SMTP

export { type SmtpStandIn, startSmtp } from '../helpers/smtp-server.js'
