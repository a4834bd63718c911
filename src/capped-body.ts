import { SeamAlertsError } from './errors.js'

/**
 * Largest HTTP response body read from a notification target (Slack Web API, Slack webhooks): 1 MiB. A real
 * answer is a few hundred bytes; anything bigger is an error page, a proxy or a hostile server.
 */
export const MAX_RESPONSE_BODY = 1024 ** 2

/** A response body over its cap: not read any further, the connection is dropped. */
export class ResponseTooLargeError extends SeamAlertsError {
  readonly maxBytes: number
  constructor(maxBytes: number, what = 'response') {
    super(
      'RESPONSE_TOO_LARGE',
      `the ${what} body is over ${formatBytes(maxBytes)}; it was not read (a proxy or error page?)`,
    )
    this.name = 'ResponseTooLargeError'
    this.maxBytes = maxBytes
  }
}

const formatBytes = (bytes: number): string =>
  bytes % 1024 ** 2 === 0 ? `${bytes / 1024 ** 2} MB` : `${Math.round(bytes / 1024)} KB`

/** Statuses whose Response may not carry a body (the Response constructor throws for them). */
const NULL_BODY = new Set([101, 103, 204, 205, 304])

/**
 * The same response with a body that errors (ResponseTooLargeError) as soon as more than `maxBytes` arrive, or at
 * once when Content-Length already says so. For clients that read the body themselves (`response.text()` inside
 * the Slack SDKs): wrap the fetch they are given. Memory stays within `maxBytes` whatever the server sends.
 */
export function capResponse(response: Response, maxBytes: number = MAX_RESPONSE_BODY): Response {
  if (!response.body || NULL_BODY.has(response.status)) return response
  const source = response.body.getReader()
  const declared = Number(response.headers.get('content-length'))
  let seen = 0
  const tooLarge = async (controller: ReadableStreamDefaultController<Uint8Array>) => {
    controller.error(new ResponseTooLargeError(maxBytes))
    await source.cancel().catch(() => undefined)
  }
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      if (Number.isFinite(declared) && declared > maxBytes) await tooLarge(controller)
    },
    async pull(controller) {
      const { done, value } = await source.read()
      if (done) {
        controller.close()
        return
      }
      seen += value.byteLength
      if (seen > maxBytes) await tooLarge(controller)
      else controller.enqueue(value)
    },
    cancel: (reason) => source.cancel(reason),
  })
  const capped = new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  })
  Object.defineProperty(capped, 'url', { value: response.url })
  return capped
}

/** A response's body as text, at most `maxBytes` of it (ResponseTooLargeError beyond). */
export function readCappedText(response: Response, maxBytes: number = MAX_RESPONSE_BODY): Promise<string> {
  return capResponse(response, maxBytes).text()
}

/**
 * A response's body as text, cut at `maxBytes` (the rest is cancelled, never buffered): for answers that are only
 * peeked at (an error message from a webhook receiver or PagerDuty), where a long body is no failure.
 */
export async function readTruncatedText(
  response: Response,
  maxBytes: number = MAX_RESPONSE_BODY,
): Promise<string> {
  if (!response.body) return ''
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  try {
    while (size < maxBytes) {
      const { done, value } = await reader.read()
      if (done) break
      const room = maxBytes - size
      chunks.push(value.length > room ? value.subarray(0, room) : value)
      size += Math.min(value.length, room)
    }
  } finally {
    await reader.cancel().catch(() => undefined)
  }
  return Buffer.concat(chunks).toString('utf8')
}
