import type { IncomingMessage } from 'node:http'
import type { Clock } from '../../clock.js'
import type { Logger } from '../../log.js'
import type { StateHolder } from '../../state/state-holder.js'
import { ApiError } from './http.js'

/** What the API reads and writes: the daemon's live state (writes go through `state.update`, durable first). */
export interface ApiContext {
  state: StateHolder
  clock: Clock
  logger: Logger
  /** `server.apiToken`: writes need it as a bearer token; without one the API is read-only. */
  apiToken?: string | undefined
}

export interface ApiRequest {
  req: IncomingMessage
  /** `:name` segments of the route pattern, decoded. */
  params: Record<string, string>
  query: URLSearchParams
  ctx: ApiContext
  /** The JSON body (size-capped); only writes read it. */
  body(): Promise<unknown>
}

export interface ApiReply {
  status: number
  body: unknown
  headers?: Record<string, string>
}

export type Method = 'GET' | 'POST' | 'DELETE'

export interface Endpoint {
  handle(request: ApiRequest): ApiReply | Promise<ApiReply>
  /** Needs the bearer token (POST, DELETE). */
  write?: boolean
}

/** One path (`/api/v1/silences/:id`) and what each method does there. */
export interface Route {
  pattern: string
  methods: Partial<Record<Method, Endpoint>>
}

/** Reject query parameters the endpoint does not know, so a typo (`?rules=`) is named, not ignored. */
export function checkQuery(query: URLSearchParams, known: readonly string[]): void {
  const unknown = [...new Set(query.keys())].filter((name) => !known.includes(name))
  if (unknown.length === 0) return
  const expected = known.length ? `expected ${known.join(', ')}` : 'this endpoint takes none'
  throw new ApiError(
    400,
    `unknown query parameter ${unknown.join(', ')} (${expected})`,
    unknown.map((name) => ({ field: name, message: `unknown query parameter (${expected})` })),
  )
}

/** A query parameter given at most once. */
export function single(query: URLSearchParams, name: string): string | undefined {
  const values = query.getAll(name)
  if (values.length > 1) {
    throw new ApiError(400, `query parameter ${name} given ${values.length} times`, [
      { field: name, message: 'expected it at most once' },
    ])
  }
  return values[0]
}

export const badParam = (field: string, message: string) =>
  new ApiError(400, `${field}: ${message}`, [{ field, message }])
