import { openIncidents } from '../../noise/incidents.js'
import { type ApiRequest, checkQuery, type Route } from './route.js'

/** Open incidents (fired, not yet resolved), oldest fire first. */
function list({ query, ctx }: ApiRequest) {
  checkQuery(query, [])
  return { status: 200, body: openIncidents(ctx.state.current(), ctx.clock.now()) }
}

export const incidentRoutes: Route[] = [{ pattern: '/api/v1/incidents', methods: { GET: { handle: list } } }]
