import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface SlackPost {
  channel: string
  text: string
  threadTs?: string
  /** The whole request (blocks included) as JSON text, for searching. */
  raw: string
}

export interface SlackStandIn {
  /** `slack.apiUrl` for the config: `http://127.0.0.1:<port>/api/`. */
  apiUrl: string
  posts: SlackPost[]
  /** Hold every response this long (a slow Slack). */
  delayMs: number
  close(): Promise<void>
}

/** A local stand-in for the Slack Web API: chat.postMessage answers `ok` with a fresh `ts`; everything is recorded. */
export async function startSlackStandIn(): Promise<SlackStandIn> {
  const posts: SlackPost[] = []
  let ts = 1_700_000_000
  const standIn = { posts, delayMs: 0 } as SlackStandIn
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const type = req.headers['content-type'] ?? ''
      const fields: Record<string, unknown> = type.includes('json')
        ? (JSON.parse(body) as Record<string, unknown>)
        : Object.fromEntries(new URLSearchParams(body))
      const reply = (payload: unknown) =>
        setTimeout(() => {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(payload))
        }, standIn.delayMs)
      if (!req.url?.endsWith('/chat.postMessage')) return reply({ ok: false, error: 'unknown_method' })
      ts += 1
      posts.push({
        channel: String(fields.channel),
        text: String(fields.text ?? ''),
        ...(fields.thread_ts ? { threadTs: String(fields.thread_ts) } : {}),
        raw: JSON.stringify(fields),
      })
      reply({ ok: true, channel: String(fields.channel), ts: `${ts}.000100` })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const port = (server.address() as AddressInfo).port
  standIn.apiUrl = `http://127.0.0.1:${port}/api/`
  standIn.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    })
  return standIn
}
