import type { Clock } from '../src/clock.js'
import type { Logger } from '../src/log.js'
import type { EventBatch, SourceCheckpoint } from '../src/source/event-source.js'
import { optionalImport } from './optional-import.js'

/** The slice of src/source the benchmark drives (signatures from notes/API.md). */
export interface ApiEventSourceLike {
  fetch(checkpoint: SourceCheckpoint): Promise<EventBatch>
  readonly stats: { requests: number; retries: number; rejected: number; fetched: number }
}
export interface SourceOptions {
  endpoint: string
  apiKey: string
  startFrom: string
  lookbackMs: number
  pageSize: number
  clock: Clock
  logger: Logger
}

interface ClientModule {
  SeamClient: new (opts: {
    endpoint: string
    apiKey: string
    requestTimeoutMs: number
    logger?: Logger
  }) => unknown
}
interface SourceModule {
  ApiEventSource: new (opts: {
    client: unknown
    lookbackMs: number
    pageSize: number
    startFrom: string
    clock: Clock
    logger: Logger
  }) => ApiEventSourceLike
}

/** Build the project's real SeamClient + ApiEventSource, or say why they are not there yet. */
export async function createApiEventSource(
  opts: SourceOptions,
): Promise<ApiEventSourceLike | { missing: string }> {
  const client = await optionalImport<ClientModule>('src/source/seam-client.js')
  if ('missing' in client) return client
  const source = await optionalImport<SourceModule>('src/source/api-event-source.js')
  if ('missing' in source) return source
  const seam = new client.module.SeamClient({
    endpoint: opts.endpoint,
    apiKey: opts.apiKey,
    requestTimeoutMs: 30_000,
    logger: opts.logger,
  })
  const { endpoint: _e, apiKey: _k, ...rest } = opts
  return new source.module.ApiEventSource({ client: seam, ...rest })
}
