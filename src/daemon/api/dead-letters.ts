import { scrubDeep } from '../../secrets/scrub.js'
import { type ApiRequest, checkQuery, type Route } from './route.js'

/**
 * The dead letters (alerts that could not be delivered), as `seam-alerts state dead-letters --json` lists them:
 * secrets were stripped when they were stored, and the text is scrubbed again on the way out.
 */
function list({ query, ctx }: ApiRequest) {
  checkQuery(query, [])
  return { status: 200, body: scrubDeep(ctx.state.current().deadLetters) }
}

export const deadLetterRoutes: Route[] = [
  { pattern: '/api/v1/dead-letters', methods: { GET: { handle: list } } },
]
