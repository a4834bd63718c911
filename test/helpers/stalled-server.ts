import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createServer as createTcpServer, type Socket } from 'node:net'

/** A request the stalled server received (and never answered). */
export interface StalledRequest {
  path: string
  body: string
  /** True once the client ended the connection (aborted the request). */
  closed: boolean
}

/**
 * An HTTP server on 127.0.0.1 that reads every request and never answers: a stalled Seam API, a hung Slack.
 * Only the client can end such a request, so `closed` tells whether the client cancelled it.
 */
export async function startStalledHttp() {
  const requests: StalledRequest[] = []
  const server: Server = createServer((req: IncomingMessage) => {
    const entry: StalledRequest = { path: req.url ?? '', body: '', closed: false }
    requests.push(entry)
    req.on('data', (chunk: Buffer) => {
      entry.body += chunk.toString('utf8')
    })
    req.socket.on('close', () => {
      entry.closed = true
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** A TCP server on 127.0.0.1 that accepts connections and never says a word (an SMTP server that never greets). */
export async function startSilentTcp() {
  const sockets: Array<{ socket: Socket; closed: boolean }> = []
  const server = createTcpServer((socket) => {
    const entry = { socket, closed: false }
    sockets.push(entry)
    socket.on('error', () => undefined)
    socket.on('close', () => {
      entry.closed = true
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    sockets,
    async close() {
      for (const { socket } of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** Poll `check` every 10 ms until it holds or `ms` passed; returns whether it held. */
export async function eventually(check: () => boolean, ms = 3000): Promise<boolean> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) return false
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  return true
}
