/**
 * A fetch for the Slack clients that runs every request under `signal` (the send's channel timeout or shutdown,
 * see `sendSignal`): the clients' own timeouts are off, so a send has exactly one deadline.
 */
export function fetchUnder(signal: AbortSignal) {
  return (url: string | URL, init?: RequestInit): Promise<Response> =>
    fetch(url, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal })
}
