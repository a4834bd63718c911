import { errorMessage } from '../../errors.js'
import {
  HISTORY_LIMIT_MAX,
  type HistoryQuery,
  parseLabelFilter,
  parseSince,
  queryHistory,
} from '../../noise/history-query.js'
import { type ApiRequest, badParam, checkQuery, type Route, single } from './route.js'

/** `?rule=R&since=1d&label=name=value&label=...&limit=N` as a HistoryQuery; 400 naming the parameter. */
export function historyQueryOf(query: URLSearchParams, now: number): HistoryQuery {
  checkQuery(query, ['rule', 'since', 'label', 'limit'])
  const out: HistoryQuery = {}
  const rule = single(query, 'rule')
  if (rule !== undefined) out.rule = rule
  const since = single(query, 'since')
  if (since !== undefined) {
    try {
      out.since = parseSince(since, now)
    } catch (error) {
      throw badParam('since', errorMessage(error))
    }
  }
  const labels: Record<string, string> = {}
  for (const text of query.getAll('label')) {
    try {
      const [name, value] = parseLabelFilter(text)
      labels[name] = value
    } catch (error) {
      throw badParam('label', errorMessage(error))
    }
  }
  if (Object.keys(labels).length) out.labels = labels
  const limit = single(query, 'limit')
  if (limit !== undefined) {
    if (!/^\d+$/.test(limit) || Number(limit) < 1 || Number(limit) > HISTORY_LIMIT_MAX)
      throw badParam('limit', `expected a whole number from 1 to ${HISTORY_LIMIT_MAX}`)
    out.limit = Number(limit)
  }
  return out
}

/** The alert history, oldest first: the newest `limit` (default 1000) entries that pass every filter. */
function list({ query, ctx }: ApiRequest) {
  const filter = historyQueryOf(query, ctx.clock.now())
  return { status: 200, body: queryHistory(ctx.state.current().history, filter) }
}

export const alertRoutes: Route[] = [{ pattern: '/api/v1/alerts', methods: { GET: { handle: list } } }]
