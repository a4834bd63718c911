import { readTruncatedText } from '../capped-body.js'
import { parseRetryAfter } from '../retry-after.js'
import { scrubSecrets } from '../secrets/scrub.js'
import { DeliveryError } from './notifier.js'

export interface HttpAnswer {
  status: number
  headers: Headers
  /** The body as text, cut at MAX_RESPONSE_BODY (1 MiB): only peeked at for an error message. */
  text: string
}

/**
 * POST `body` (already serialized JSON) to `url` under `signal`. Redirects are never followed (a 3xx comes back as
 * an answer). A network error or an abort becomes a retryable DeliveryError whose text never holds the URL.
 */
export async function postJson(
  label: string,
  url: string,
  body: string,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<HttpAnswer> {
  let response: Response
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'seam-alerts', ...headers },
      body,
      redirect: 'manual',
      signal,
    })
  } catch (error) {
    if (signal.aborted) throw error
    throw new DeliveryError(`${label}: request failed (${networkReason(error, url)})`, {
      retryable: true,
      cause: error,
    })
  }
  return { status: response.status, headers: response.headers, text: await readTruncatedText(response) }
}

/** The low-level reason of a failed fetch (`ECONNREFUSED`, `UND_ERR_CONNECT_TIMEOUT`...), never the URL. */
function networkReason(error: unknown, url: string): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } })?.cause
  const text =
    typeof cause?.code === 'string'
      ? cause.code
      : typeof cause?.message === 'string'
        ? cause.message
        : error instanceof Error
          ? error.message
          : String(error)
  return scrubSecrets(text.split(url).join('[url]'))
}

/** A short, single-line excerpt of an answer body for an error message (scrubbed). */
export function excerpt(text: string, max = 200): string {
  const line = text.replace(/\s+/g, ' ').trim()
  return scrubSecrets(line.length > max ? `${line.slice(0, max)}…` : line)
}

/**
 * The failure an HTTP answer means, for destinations with the generic rules: 2xx is not a failure (undefined);
 * 408, 429 and 5xx are retried (honouring Retry-After); a redirect, and every other 4xx, is permanent.
 */
export function httpFailure(label: string, answer: HttpAnswer, now: number): DeliveryError | undefined {
  const { status } = answer
  if (status >= 200 && status < 300) return undefined
  if (status >= 300 && status < 400)
    return new DeliveryError(`${label}: HTTP ${status} redirect (redirects are not followed)`, {
      retryable: false,
    })
  const detail = excerpt(answer.text)
  return new DeliveryError(`${label}: HTTP ${status}${detail ? ` ${detail}` : ''}`, {
    retryable: status === 408 || status === 429 || status >= 500,
    retryAfterMs: parseRetryAfter(answer.headers.get('retry-after'), now),
  })
}
