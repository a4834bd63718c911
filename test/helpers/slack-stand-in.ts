import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One request to the stand-in, as Slack's Web API would see it. */
export interface SlackCall {
  method: string
  contentType: string
  auth: string | undefined
  body: Record<string, unknown>
  /** performance.now() when the request arrived. */
  at: number
}

export interface SlackReply {
  status?: number
  headers?: Record<string, string>
  body?: unknown
  /** Never answer (a hung target). */
  hang?: boolean
  /** Answer with this text as is (with `contentType`, default text/html): a proxy's page, a huge body. */
  raw?: string
  contentType?: string
}

export interface SlackStandInOptions {
  /** Decide the reply to the nth call; default: `ok` with a fresh `ts`. */
  script?: (call: SlackCall, nth: number) => SlackReply | undefined
  /**
   * Answer `#name` with a channel id `C_name`, as Slack does (default). `false` echoes the channel as sent, for
   * tests that follow one channel by name across an alert and its thread reply.
   */
  channelIds?: boolean
}

/**
 * A node:http server on 127.0.0.1 standing in for Slack's Web API (`slack.apiUrl` = `apiUrl`): it records every
 * call (form or JSON bodies) and answers chat.postMessage. `delayMs` holds every answer back (a slow Slack).
 */
export async function startSlackStandIn(
  scriptOrOptions?: SlackStandInOptions['script'] | SlackStandInOptions,
) {
  const opts: SlackStandInOptions =
    typeof scriptOrOptions === 'function' ? { script: scriptOrOptions } : (scriptOrOptions ?? {})
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
      at: performance.now(),
    }
    calls.push(call)
    for (const w of waiters.splice(0)) {
      if (w.pred(call)) w.resolve(call)
      else waiters.push(w)
    }
    const reply = opts.script?.(call, calls.length) ?? {}
    if (reply.hang) {
      hung.push(res)
      return
    }
    const sent = String(body.channel ?? '')
    const channel = opts.channelIds === false ? sent : sent.replace(/^#/, 'C_')
    const answer = () => {
      if (reply.raw !== undefined) {
        res.writeHead(reply.status ?? 200, {
          'content-type': reply.contentType ?? 'text/html',
          ...reply.headers,
        })
        res.end(reply.raw)
        return
      }
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers })
      res.end(
        JSON.stringify(
          reply.body ?? { ok: true, channel, ts: `1772366400.${String(ts++).padStart(6, '0')}` },
        ),
      )
    }
    if (standIn.delayMs > 0) setTimeout(answer, standIn.delayMs)
    else answer()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  const standIn = {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    url: `http://127.0.0.1:${port}`,
    calls,
    /** Hold every answer this long. */
    delayMs: 0,
    posted: () => calls.filter((c) => c.method === 'chat.postMessage'),
    /** The first call matching `pred` (past or future); undefined after `timeoutMs`, when given. */
    waitFor: (pred: (c: SlackCall) => boolean, timeoutMs?: number) =>
      new Promise<SlackCall | undefined>((resolve) => {
        const found = calls.find(pred)
        if (found) return resolve(found)
        const waiter = { pred, resolve }
        waiters.push(waiter)
        if (timeoutMs !== undefined) {
          setTimeout(() => {
            const index = waiters.indexOf(waiter)
            if (index >= 0) waiters.splice(index, 1)
            resolve(undefined)
          }, timeoutMs).unref()
        }
      }),
    async close() {
      for (const res of hung) res.destroy()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
  return standIn
}

export type SlackStandIn = Awaited<ReturnType<typeof startSlackStandIn>>

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
