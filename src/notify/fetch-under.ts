import { capResponse, MAX_RESPONSE_BODY } from '../capped-body.js'

/**
 * A fetch for the Slack clients that runs every request under `signal` (the send's channel timeout or shutdown,
 * see `sendSignal`): the clients' own timeouts are off, so a send has exactly one deadline. The body they read is
 * capped at MAX_RESPONSE_BODY (capped-body.ts): past it the read fails with RESPONSE_TOO_LARGE, and memory stays
 * bounded whatever the server sends.
 */
export function fetchUnder(signal: AbortSignal) {
  return async (url: string | URL, init?: RequestInit): Promise<Response> => {
    const response = await fetch(url, {
      ...init,
      signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal,
    })
    return capResponse(response, MAX_RESPONSE_BODY)
  }
}
