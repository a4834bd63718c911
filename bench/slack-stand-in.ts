import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface SlackStandIn {
  /** Base URL to use as `slack.apiUrl` (ends with `/api/`). */
  apiUrl: string
  /** Resolves with the receive time (performance.now()) of the first chat.postMessage whose body contains `text`. */
  waitFor(text: string, timeoutMs: number): Promise<number | null>
  readonly received: number
  close(): Promise<void>
}

/** A local node:http stand-in for Slack's Web API: answers chat.postMessage with ok and records when it arrived. */
export async function startSlackStandIn(): Promise<SlackStandIn> {
  const messages: Array<{ at: number; body: string }> = []
  const waiters = new Set<{ text: string; resolve: (at: number) => void }>()
  let ts = 1_700_000_000
  const server = createServer((req, res) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (chunk: string) => {
      body += chunk
    })
    req.on('end', () => {
      const at = performance.now()
      const decoded = safeDecode(body)
      if (req.url?.includes('chat.postMessage')) {
        messages.push({ at, body: decoded })
        for (const waiter of waiters) {
          if (decoded.includes(waiter.text)) {
            waiters.delete(waiter)
            waiter.resolve(at)
          }
        }
      }
      ts += 1
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ ok: true, channel: 'C0BENCH', ts: `${ts}.000100`, message: {} }))
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    get received() {
      return messages.length
    },
    waitFor(text, timeoutMs) {
      const seen = messages.find((m) => m.body.includes(text))
      if (seen) return Promise.resolve(seen.at)
      return new Promise((resolve) => {
        const waiter = {
          text,
          resolve: (at: number) => {
            clearTimeout(timer)
            resolve(at)
          },
        }
        const timer = setTimeout(() => {
          waiters.delete(waiter)
          resolve(null)
        }, timeoutMs)
        waiters.add(waiter)
      })
    },
    async close() {
      server.closeAllConnections()
      server.close()
    },
  }
}

function safeDecode(body: string): string {
  try {
    return decodeURIComponent(body.replace(/\+/g, ' '))
  } catch {
    return body
  }
}
