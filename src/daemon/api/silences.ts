import { silenceStatus } from '../../noise/silence.js'
import {
  addSilence,
  expireSilenceById,
  listSilences,
  type SilenceView,
  type StoredSilence,
} from '../../noise/silence-ops.js'
import { createSilence } from '../../noise/silence-request.js'
import { ApiError } from './http.js'
import { type ApiRequest, badParam, checkQuery, type Route, single } from './route.js'

/** createdBy of a silence made through the API without one (the CLI always sends its author). */
export const API_AUTHOR = 'api'

export function silenceView(stored: StoredSilence, now: number): SilenceView {
  const { suppressed, ...silence } = stored
  return { ...silence, status: silenceStatus(stored, now), suppressed }
}

function list({ query, ctx }: ApiRequest) {
  checkQuery(query, ['expired'])
  const expired = single(query, 'expired')
  if (expired !== undefined && expired !== 'true' && expired !== 'false')
    throw badParam('expired', 'expected true or false')
  const now = ctx.clock.now()
  return { status: 200, body: listSilences(ctx.state.current(), now, { expired: expired === 'true' }) }
}

async function create({ query, ctx, body }: ApiRequest) {
  checkQuery(query, [])
  const now = ctx.clock.now()
  const result = createSilence(await body(), { now, defaultAuthor: API_AUTHOR })
  if (!result.ok) {
    const first = result.issues[0]!
    throw new ApiError(400, `invalid silence: ${first.field}: ${first.message}`, result.issues)
  }
  const stored = await ctx.state.update((draft) => addSilence(draft, result.silence))
  ctx.logger.info({ silence: stored.id, matchers: stored.matchers, endsAt: stored.endsAt }, 'silence created')
  return {
    status: 201,
    body: silenceView(stored, now),
    headers: { location: `/api/v1/silences/${encodeURIComponent(stored.id)}` },
  }
}

const notFound = (id: string) => new ApiError(404, `no silence with id ${JSON.stringify(id)}`)

function show({ query, ctx, params }: ApiRequest) {
  checkQuery(query, [])
  const stored = ctx.state.current().silences.find((silence) => silence.id === params.id)
  if (!stored) throw notFound(params.id!)
  return { status: 200, body: silenceView(stored, ctx.clock.now()) }
}

async function expire({ query, ctx, params }: ApiRequest) {
  checkQuery(query, [])
  const id = params.id!
  if (!ctx.state.current().silences.some((silence) => silence.id === id)) throw notFound(id)
  const now = ctx.clock.now()
  const stored = await ctx.state.update((draft) => expireSilenceById(draft, id, now))
  if (!stored) throw notFound(id)
  ctx.logger.info({ silence: id }, 'silence expired')
  return { status: 200, body: silenceView(stored, now) }
}

export const silenceRoutes: Route[] = [
  { pattern: '/api/v1/silences', methods: { GET: { handle: list }, POST: { handle: create, write: true } } },
  {
    pattern: '/api/v1/silences/:id',
    methods: { GET: { handle: show }, DELETE: { handle: expire, write: true } },
  },
]
