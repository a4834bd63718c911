import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One request to the stand-in, exactly as it arrived. */
export interface HttpCall {
  method: string
  /** Path and query. */
  path: string
  headers: IncomingMessage['headers']
  /** The raw body (what a signature is computed over). */
  raw: string
  /** The body parsed as JSON, or undefined. */
  json: unknown
}

export interface HttpReply {
  status?: number
  headers?: Record<string, string>
  body?: string
  /** Never answer (a hung receiver). */
  hang?: boolean
}

/**
 * A node:http server on 127.0.0.1 standing in for a receiver (PagerDuty's Events API, a webhook, a Teams
 * Workflows trigger, a heartbeat checker). It records every request and answers with `script` (default
 * `defaultReply`).
 */
export async function startHttpStandIn(
  script?: (call: HttpCall, nth: number) => HttpReply | undefined,
  defaultReply: HttpReply = { status: 200, body: '' },
) {
  const calls: HttpCall[] = []
  const hung: ServerResponse[] = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8')
      let json: unknown
      try {
        json = raw ? JSON.parse(raw) : undefined
      } catch {
        json = undefined
      }
      const call: HttpCall = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        raw,
        json,
      }
      calls.push(call)
      const reply = script?.(call, calls.length) ?? defaultReply
      if (reply.hang) {
        hung.push(res)
        return
      }
      res.writeHead(reply.status ?? 200, reply.headers)
      res.end(reply.body ?? '')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    async waitFor(count: number, timeoutMs = 10_000): Promise<void> {
      const until = Date.now() + timeoutMs
      while (calls.length < count) {
        if (Date.now() > until) throw new Error(`expected ${count} calls, got ${calls.length}`)
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
    },
    async close() {
      for (const res of hung) res.destroy()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

export type HttpStandIn = Awaited<ReturnType<typeof startHttpStandIn>>
