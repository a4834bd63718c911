import type { IncomingMessage, ServerResponse } from 'node:http'
import { errorMessage, hasCode } from '../../errors.js'
import { scrubSecrets } from '../../secrets/scrub.js'
import { alertRoutes } from './alerts.js'
import { authorizeWrite } from './auth.js'
import { deadLetterRoutes } from './dead-letters.js'
import { ApiError, readJsonBody, sendError, sendJson } from './http.js'
import { incidentRoutes } from './incidents.js'
import type { ApiContext, Method, Route } from './route.js'
import { silenceRoutes } from './silences.js'

export const API_PREFIX = '/api/'

const ROUTES: Route[] = [...silenceRoutes, ...alertRoutes, ...incidentRoutes, ...deadLetterRoutes]

/** Match `/api/v1/silences/abc` against `/api/v1/silences/:id`: the params, or undefined. */
function match(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/')
  const got = path.replace(/\/+$/, '').split('/')
  if (want.length !== got.length) return undefined
  const params: Record<string, string> = {}
  for (let i = 0; i < want.length; i++) {
    const part = want[i]!
    if (part.startsWith(':')) {
      if (got[i] === '') return undefined
      try {
        params[part.slice(1)] = decodeURIComponent(got[i]!)
      } catch {
        return undefined
      }
    } else if (part !== got[i]) return undefined
  }
  return params
}

const PATHS = ROUTES.map((route) => route.pattern).join(', ')

/**
 * The local API under /api/v1 (JSON in and out): find the route (404), the method (405 with Allow), authorize
 * writes (403 read-only / 401), then run the endpoint. Every error is `{"error": ..., "issues"?: [...]}`.
 */
export function apiHandler(ctx: ApiContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(ctx, req, res).catch((error: unknown) => {
      if (error instanceof ApiError) return sendError(res, error)
      const unavailable = hasCode(error, 'STATE_WRITE_FAILED') || hasCode(error, 'STATE_LOCK_LOST')
      ctx.logger.error({ err: errorMessage(error), path: req.url }, 'local API request failed')
      sendError(
        res,
        new ApiError(
          unavailable ? 503 : 500,
          `${unavailable ? 'the state could not be saved, nothing changed' : 'internal error'}: ${scrubSecrets(errorMessage(error))}`,
        ),
      )
    })
  }
}

async function handle(ctx: ApiContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost')
  let found: { route: Route; params: Record<string, string> } | undefined
  for (const route of ROUTES) {
    const params = match(route.pattern, url.pathname)
    if (params) {
      found = { route, params }
      break
    }
  }
  if (!found) throw new ApiError(404, `no such API path: ${url.pathname} (try ${PATHS})`)
  const allowed = Object.keys(found.route.methods) as Method[]
  const endpoint = found.route.methods[req.method as Method]
  if (!endpoint) {
    throw new ApiError(
      405,
      `method ${req.method} not allowed on ${url.pathname}: use ${allowed.join(', ')}`,
      undefined,
      {
        allow: allowed.join(', '),
      },
    )
  }
  if (endpoint.write) authorizeWrite(req, ctx.apiToken)
  const reply = await endpoint.handle({
    req,
    params: found.params,
    query: url.searchParams,
    ctx,
    body: () => readJsonBody(req),
  })
  sendJson(res, reply.status, reply.body, reply.headers)
}
