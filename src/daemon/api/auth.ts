import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { ApiError } from './http.js'

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest()

/** Compare in constant time: both sides are hashed first, so neither the content nor the length leaks. */
export function tokensEqual(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected))
}

/**
 * May this request write? With no `server.apiToken` the API is read-only (403 saying how to enable writes);
 * otherwise it needs `Authorization: Bearer <token>` (401 when missing or wrong). Throws ApiError; never echoes
 * what was given.
 */
export function authorizeWrite(req: IncomingMessage, apiToken: string | undefined): void {
  if (!apiToken) {
    throw new ApiError(
      403,
      'the local API is read-only: set "server.apiToken" in the config (e.g. "${SEAM_ALERTS_API_TOKEN}") and restart the daemon to allow writes',
    )
  }
  const header = req.headers.authorization
  const match = typeof header === 'string' ? /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header) : null
  const challenge = { 'www-authenticate': 'Bearer realm="seam-alerts"' }
  if (!match) {
    throw new ApiError(
      401,
      'missing bearer token: send "Authorization: Bearer <server.apiToken>"',
      undefined,
      challenge,
    )
  }
  if (!tokensEqual(match[1]!, apiToken)) {
    throw new ApiError(401, 'wrong bearer token', undefined, {
      'www-authenticate': 'Bearer realm="seam-alerts", error="invalid_token"',
    })
  }
}
