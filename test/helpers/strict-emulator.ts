import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { SeamEvent } from '../../src/source/event.js'

/**
 * A strict stand-in for Seam's /events/list, stricter than the official fake: newest first, a hard cap of 500 a
 * page (a larger `limit` is a 400), `unstable_offset` paging, exclusive `since` / `between`, `event_types`,
 * events that become visible only after `visibleAt`, scripted faults, and a request counter.
 *
 * Events are kept sorted ascending by (created_at, event_id) as compact records (the JSON text is rendered once),
 * so a request costs a binary search plus the page: O(log n + page). Only while some event is still invisible, or
 * when `event_types` is given, does a request scan its range. `generate` stores no JSON (rendered when served):
 * one million generated events take about 150 MB.
 */
export type Fault = { path?: string } & (
  | { kind: 'status'; status: number; body?: string; retryAfter?: string }
  | { kind: 'hang' }
  | { kind: 'truncated' }
  | { kind: 'non-json' }
  | { kind: 'reset' }
)

/** An event to add: anything missing gets a default. Set a field to `undefined` to leave it out (malformed events). */
export type EmulatorEvent = Partial<Record<keyof SeamEvent, unknown>> &
  Record<string, unknown> & {
    /** Emulator-clock ms before which /events/list does not show the event. */
    visibleAt?: number
    /** Where to sort an event whose created_at is missing or invalid (default: now). */
    sortAt?: number
    /**
     * Serve exactly this JSON text, for payloads JSON.stringify cannot build (nested 100,000 deep). The other fields
     * only place it: event_id, event_type and created_at should match the text.
     */
    json?: string
  }

export interface EmulatorDevice {
  device_id: string
  display_name?: string
  properties?: { name?: string }
}

export interface StrictEmulator {
  url: string
  apiKey: string
  /** Add one event (inserted in order); returns what the API will serve. */
  addEvent(event?: EmulatorEvent): SeamEvent
  /** Add many events at once (one sort). */
  addEvents(events: EmulatorEvent[]): SeamEvent[]
  /** Add `count` well-formed events spread evenly over [from, to) without building objects (bench sized). */
  generate(opts: { count: number; from: number; to: number; eventType?: string; deviceIds?: string[] }): void
  addDevice(device: EmulatorDevice): void
  /** Queue faults; each one answers one future request (to /events/list unless `path` says otherwise). */
  fail(...faults: Fault[]): void
  /** /events/list requests received (including faulted ones). */
  readonly requests: number
  /** Parsed bodies of every /events/list request, in order. */
  readonly requestBodies: Record<string, unknown>[]
  readonly size: number
  close(): Promise<void>
}

interface StoredEvent {
  t: number
  id: string
  type: string
  vis: number
  /** The served JSON; absent for generated events, which are rendered from t, id, type and device when served. */
  json?: string
  device?: string
}

const render = (s: StoredEvent): string => {
  if (s.json !== undefined) return s.json
  const iso = new Date(s.t).toISOString()
  return `{"event_id":"${s.id}","event_type":"${s.type}","created_at":"${iso}","occurred_at":"${iso}","workspace_id":"ws_emulator","device_id":"${s.device}"}`
}

const MAX_LIMIT = 500
const before = (a: StoredEvent, t: number, id: string) => a.t < t || (a.t === t && a.id < id)

export async function startStrictEmulator(
  opts: { apiKey?: string; clock?: () => number } = {},
): Promise<StrictEmulator> {
  const apiKey = opts.apiKey ?? 'seam_test_key'
  const clock = opts.clock ?? Date.now
  const store: StoredEvent[] = []
  const faults: Fault[] = []
  const devices = new Map<string, EmulatorDevice>([
    ['device_1', { device_id: 'device_1', display_name: 'Front Door', properties: { name: 'Front Door' } }],
  ])
  const hanging = new Set<ServerResponse>()
  const requestBodies: Record<string, unknown>[] = []
  let requests = 0
  let seq = 0
  let maxVisibleAt = 0

  /** First index whose key is > (t, id), i.e. where (t, id) would be inserted after equals. */
  const upperBound = (t: number, id: string) => {
    let lo = 0
    let hi = store.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      const s = store[mid]!
      if (before(s, t, id) || (s.t === t && s.id === id)) lo = mid + 1
      else hi = mid
    }
    return lo
  }
  /** First index with t > time (strict). */
  const firstAfter = (time: number) => {
    let lo = 0
    let hi = store.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (store[mid]!.t <= time) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  const toRecord = (input: EmulatorEvent): { record: StoredEvent; event: SeamEvent } => {
    const { visibleAt, sortAt, json, ...fields } = input
    seq += 1
    const now = clock()
    const created = new Date(now).toISOString()
    const event = {
      event_id: `evt_${String(seq).padStart(9, '0')}`,
      event_type: 'lock.unlocked',
      created_at: created,
      occurred_at: typeof fields.created_at === 'string' ? fields.created_at : created,
      workspace_id: 'ws_emulator',
      device_id: 'device_1',
      ...fields,
    } as SeamEvent
    const parsed = typeof event.created_at === 'string' ? Date.parse(event.created_at) : Number.NaN
    const t = Number.isNaN(parsed) ? (sortAt ?? now) : parsed
    const vis = visibleAt ?? 0
    if (vis > maxVisibleAt) maxVisibleAt = vis
    const record = {
      t,
      id: String(event.event_id),
      type: String(event.event_type),
      vis,
      json: json ?? JSON.stringify(event),
    }
    return { record, event: JSON.parse(render(record)) as SeamEvent }
  }

  const insert = (record: StoredEvent) => {
    const last = store[store.length - 1]
    if (!last || before(last, record.t, record.id)) store.push(record)
    else store.splice(upperBound(record.t, record.id), 0, record)
  }

  const select = (body: Record<string, unknown>): string[] | string => {
    const limit = body.limit === undefined ? MAX_LIMIT : body.limit
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
      return `limit must be an integer from 1 to ${MAX_LIMIT}`
    const offset = body.unstable_offset ?? 0
    if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0)
      return 'unstable_offset must be a non-negative integer'
    let lo: number
    let hi: number
    if (body.since !== undefined && body.between === undefined) {
      const since = Date.parse(String(body.since))
      if (Number.isNaN(since)) return 'since must be an ISO time'
      lo = firstAfter(since)
      hi = store.length
    } else if (Array.isArray(body.between) && body.since === undefined && body.between.length === 2) {
      const a = Date.parse(String(body.between[0]))
      const b = Date.parse(String(body.between[1]))
      if (Number.isNaN(a) || Number.isNaN(b)) return 'between must hold two ISO times'
      lo = firstAfter(a)
      hi = Math.max(lo, firstAfter(b - 1)) // exclusive: t < b (ms precision)
    } else return 'Must specify either since or between'
    const types = Array.isArray(body.event_types) ? new Set(body.event_types.map(String)) : null
    const now = clock()
    const out: string[] = []
    if (!types && now >= maxVisibleAt) {
      for (let i = hi - 1 - offset; i >= lo && out.length < limit; i--) out.push(render(store[i]!))
      return out
    }
    let skip = offset
    for (let i = hi - 1; i >= lo && out.length < limit; i--) {
      const s = store[i]!
      if (s.vis > now || (types && !types.has(s.type))) continue
      if (skip > 0) skip -= 1
      else out.push(render(s))
    }
    return out
  }

  const send = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      ...headers,
    })
    res.end(body)
  }
  const error = (res: ServerResponse, status: number, type: string, message: string) =>
    send(res, status, JSON.stringify({ error: { type, message } }))

  const applyFault = (fault: Fault, req: IncomingMessage, res: ServerResponse) => {
    switch (fault.kind) {
      case 'status': {
        const headers: Record<string, string> = fault.retryAfter ? { 'retry-after': fault.retryAfter } : {}
        const body =
          fault.body ?? (fault.status === 503 ? '' : JSON.stringify({ error: { type: 'server_error' } }))
        return send(res, fault.status, body, headers)
      }
      case 'hang':
        hanging.add(res)
        res.on('close', () => hanging.delete(res))
        return
      case 'truncated': {
        const full = JSON.stringify({
          events: [{ event_id: 'evt_partial', event_type: 'lock.unlocked' }],
          ok: true,
        })
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(full) })
        res.write(full.slice(0, full.length >> 1), () => req.socket.destroy())
        return
      }
      case 'non-json':
        return send(res, 200, '<html><body>502 Bad Gateway</body></html>', { 'content-type': 'text/html' })
      case 'reset':
        req.socket.destroy()
        return
    }
  }

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const path = (req.url ?? '/').split('?')[0]
    if (path === '/events/list') requests += 1
    const faultIndex = faults.findIndex((f) => (f.path ?? '/events/list') === path)
    if (faultIndex >= 0) return applyFault(faults.splice(faultIndex, 1)[0]!, req, res)
    if (req.method !== 'POST') return error(res, 405, 'method_not_allowed', 'POST only')
    if (req.headers.authorization !== `Bearer ${apiKey}`)
      return error(res, 401, 'unauthorized', 'API Key not found')
    let body: Record<string, unknown>
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}')
    } catch {
      return error(res, 400, 'invalid_input', 'body is not JSON')
    }
    if (path === '/events/list') {
      requestBodies.push(body)
      const page = select(body)
      if (typeof page === 'string') return error(res, 400, 'invalid_input', page)
      return send(res, 200, `{"events":[${page.join(',')}],"ok":true}`)
    }
    if (path === '/devices/get') {
      const device = devices.get(String(body.device_id))
      if (!device) return error(res, 404, 'device_not_found', 'Device not found')
      return send(res, 200, JSON.stringify({ device, ok: true }))
    }
    return error(res, 404, 'not_found', `no route ${path}`)
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) error(res, 500, 'emulator_error', String(err))
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    addEvent(event = {}) {
      const { record, event: served } = toRecord(event)
      insert(record)
      return served
    },
    addEvents(events) {
      const made = events.map(toRecord)
      const records = made.map((m) => m.record)
      records.sort((a, b) => (before(a, b.t, b.id) ? -1 : before(b, a.t, a.id) ? 1 : 0))
      const last = store[store.length - 1]
      if (!last || (records[0] && before(last, records[0].t, records[0].id))) store.push(...records)
      else for (const record of records) insert(record)
      return made.map((m) => m.event)
    },
    generate({ count, from, to, eventType = 'lock.unlocked', deviceIds = ['device_1'] }) {
      const step = (to - from) / count
      const records: StoredEvent[] = []
      for (let i = 0; i < count; i++) {
        seq += 1
        const t = from + Math.floor(i * step)
        const id = `evt_${String(seq).padStart(9, '0')}`
        const device = deviceIds[i % deviceIds.length]!
        records.push({ t, id, type: eventType, vis: 0, device })
      }
      const last = store[store.length - 1]
      if (!last || (records[0] && before(last, records[0].t, records[0].id))) {
        for (const record of records) store.push(record)
      } else for (const record of records) insert(record)
    },
    addDevice(device) {
      devices.set(device.device_id, device)
    },
    fail(...more) {
      faults.push(...more)
    },
    get requests() {
      return requests
    },
    requestBodies,
    get size() {
      return store.length
    },
    async close() {
      for (const res of hanging) res.destroy()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
