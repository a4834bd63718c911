import type { IncomingMessage, ServerResponse } from 'node:http'

/** Largest request body the API reads (a silence is well under 4 KiB); more is answered 413. */
export const MAX_BODY_BYTES = 64 * 1024

/** One problem with one field of a request: `field` is a JSON path (`$.matchers[0]`) or a query parameter. */
export interface FieldIssue {
  field: string
  message: string
}

/** An answer other than 2xx: the status and `{"error": message, "issues"?: [...]}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly issues?: FieldIssue[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res
    .writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      ...headers,
    })
    .end(`${JSON.stringify(body)}\n`)
}

export function sendError(res: ServerResponse, error: ApiError): void {
  const body = error.issues ? { error: error.message, issues: error.issues } : { error: error.message }
  sendJson(res, error.status, body, error.headers)
}

/** The request body as JSON: 413 over MAX_BODY_BYTES (by Content-Length or as it streams), 400 if not JSON. */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const text = await readText(req)
  if (text.trim() === '') throw new ApiError(400, 'expected a JSON object as the request body, got nothing')
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    throw new ApiError(400, `request body is not valid JSON: ${(error as Error).message}`)
  }
}

/** Read the body up to the cap. Over it, answer at once; the rest is discarded (the socket stays usable for the reply). */
function readText(req: IncomingMessage): Promise<string> {
  const tooLarge = () =>
    new ApiError(413, `request body too large: at most ${MAX_BODY_BYTES} bytes`, undefined, {
      connection: 'close',
    })
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) {
    req.resume()
    return Promise.reject(tooLarge())
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let over = false
    req.on('data', (chunk: Buffer) => {
      if (over) return
      size += chunk.length
      if (size > MAX_BODY_BYTES) {
        over = true
        chunks.length = 0
        reject(tooLarge())
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks).toString('utf8'))
    })
    req.on('error', reject)
  })
}
