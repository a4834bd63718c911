import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { SeamRequestError } from '../../src/source/errors.js'
import { MAX_SEAM_RESPONSE, SeamClient } from '../../src/source/seam-client.js'

let server: Server | undefined
afterEach(async () => {
  server?.closeAllConnections()
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  server = undefined
})

/** A server that streams `bytes` of a JSON body, without Content-Length (chunked), so only the reader can stop it. */
async function serveBody(bytes: number, withLength = false): Promise<{ url: string; sent: () => number }> {
  let sent = 0
  server = createServer((_req, res) => {
    res.writeHead(200, {
      'content-type': 'application/json',
      ...(withLength ? { 'content-length': String(bytes + 12) } : {}),
    })
    res.write('{"events":"')
    const chunk = 'x'.repeat(64 * 1024)
    const pump = () => {
      while (sent < bytes) {
        sent += chunk.length
        if (!res.write(chunk)) return void res.once('drain', pump)
      }
      res.end('"}')
    }
    res.on('error', () => undefined)
    pump()
  })
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sent: () => sent }
}

describe('Seam client: response bodies are read with a size cap', () => {
  it('the default cap is 64 MB', () => {
    expect(MAX_SEAM_RESPONSE).toBe(64 * 1024 ** 2)
  })

  for (const withLength of [false, true]) {
    it(`stops reading past the cap and fails retryably (${withLength ? 'with' : 'without'} Content-Length)`, async () => {
      const { url } = await serveBody(8 * 1024 ** 2, withLength)
      const client = new SeamClient({
        endpoint: url,
        apiKey: 'seam_k',
        requestTimeoutMs: 10_000,
        maxResponseBytes: 1024 ** 2,
      })
      const error = await client.post('/events/list', {}).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(SeamRequestError)
      expect((error as SeamRequestError).retryable).toBe(true)
      expect((error as Error).message).toContain('over 1 MB')
      expect((error as Error).message).toContain('seam.pageSize')
    })
  }

  it('reads a body under the cap as before', async () => {
    const { url } = await serveBody(100_000)
    const client = new SeamClient({
      endpoint: url,
      apiKey: 'seam_k',
      requestTimeoutMs: 10_000,
      maxResponseBytes: 1024 ** 2,
    })
    const body = await client.post<{ events: string }>('/events/list', {})
    expect(body.events.length).toBeGreaterThanOrEqual(100_000)
  })
})
