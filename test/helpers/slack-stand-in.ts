import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One request to the stand-in, as Slack's Web API would see it. */
export interface SlackCall {
  method: string
  contentType: string
  auth: string | undefined
  body: Record<string, unknown>
  /** performance.now() when the request arrived. */
  at: number
}

export interface SlackReply {
  status?: number
  headers?: Record<string, string>
  body?: unknown
  /** Never answer (a hung target). */
  hang?: boolean
  /** Answer with this text as is (with `contentType`, default text/html): a proxy's page, a huge body. */
  raw?: string
  contentType?: string
}

/** One message as the stand-in holds it (the latest version after any chat.update). */
export interface SlackMessage {
  channel: string
  ts: string
  text: string
  blocks: unknown[] | undefined
  thread_ts: string | undefined
  /** Every version, oldest first: the post, then one entry per chat.update. */
  versions: Array<{ text: string; blocks: unknown[] | undefined }>
}

export interface SlackStandInOptions {
  /** Decide the reply to the nth call; default: `ok` with a fresh `ts`. */
  script?: (call: SlackCall, nth: number) => SlackReply | undefined
  /**
   * Answer `#name` with a channel id `C_name`, as Slack does (default). `false` echoes the channel as sent, for
   * tests that follow one channel by name across an alert and its thread reply.
   */
  channelIds?: boolean
}

/**
 * A node:http server on 127.0.0.1 standing in for Slack's Web API (`slack.apiUrl` = `apiUrl`): it records every
 * call (form or JSON bodies) and answers chat.postMessage. `delayMs` holds every answer back (a slow Slack, or a
 * slow network back to the daemon): the call takes effect on arrival (a posted message is already there to click).
 *
 * Like Slack it keeps the messages it posted (by channel and ts, `message()`), and answers:
 * - chat.update: `{ok, channel, ts, text, message}` for a message it holds, `message_not_found` otherwise;
 * - chat.postEphemeral: `{ok, message_ts}` (recorded in `ephemerals()`);
 * - apps.connections.open: only with an app-level `xapp-` bearer token (`not_allowed_token_type` otherwise, as
 *   Slack does; `not_authed` without one), `{ok, url}` from the attached Socket Mode stand-in (`socketMode`).
 * An `xapp-` token on any other method gets `not_allowed_token_type`, as it does at Slack. Blocks Slack would
 * refuse (a duplicate `block_id` in a message, a duplicate `action_id` in a block, a button over Slack's limits)
 * get `invalid_blocks` with `errors`, on every method.
 */
export async function startSlackStandIn(
  scriptOrOptions?: SlackStandInOptions['script'] | SlackStandInOptions,
) {
  const opts: SlackStandInOptions =
    typeof scriptOrOptions === 'function' ? { script: scriptOrOptions } : (scriptOrOptions ?? {})
  const calls: SlackCall[] = []
  const hung: ServerResponse[] = []
  const waiters: Array<{ pred: (c: SlackCall) => boolean; resolve: (c: SlackCall) => void }> = []
  let ts = 1000
  const server: Server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const raw = await readBody(req)
    const contentType = String(req.headers['content-type'] ?? '')
    const body = parseBody(raw, contentType)
    const call: SlackCall = {
      method: (req.url ?? '').replace(/^.*\//, ''),
      contentType,
      auth: req.headers.authorization,
      body,
      at: performance.now(),
    }
    calls.push(call)
    for (const w of waiters.splice(0)) {
      if (w.pred(call)) w.resolve(call)
      else waiters.push(w)
    }
    const reply = opts.script?.(call, calls.length) ?? {}
    if (reply.hang) {
      hung.push(res)
      return
    }
    const sent = String(body.channel ?? '')
    const channel = opts.channelIds === false ? sent : sent.replace(/^#/, 'C_')
    // Decided (and a posted message kept) on arrival, as Slack does; only the answer is held back by delayMs.
    const answerBody =
      reply.raw === undefined ? (reply.body ?? defaultAnswer(call, channel, reply.status ?? 200)) : undefined
    const answer = () => {
      if (reply.raw !== undefined) {
        res.writeHead(reply.status ?? 200, {
          'content-type': reply.contentType ?? 'text/html',
          ...reply.headers,
        })
        res.end(reply.raw)
        return
      }
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers })
      res.end(JSON.stringify(answerBody))
    }
    if (standIn.delayMs > 0) setTimeout(answer, standIn.delayMs)
    else answer()
  })
  const messages = new Map<string, SlackMessage>()
  const key = (channel: string, messageTs: string) => `${channel} ${messageTs}`
  const blocksOf = (body: Record<string, unknown>) =>
    Array.isArray(body.blocks) ? (body.blocks as unknown[]) : undefined

  /** What Slack would answer when no script decides: see the doc comment above. */
  function defaultAnswer(call: SlackCall, channel: string, status: number): Record<string, unknown> {
    const { body } = call
    const token = bearer(call)
    if (call.method === 'apps.connections.open') {
      if (!token) return { ok: false, error: 'not_authed' }
      if (!token.startsWith('xapp-')) return { ok: false, error: 'not_allowed_token_type' }
      if (!standIn.socketMode) return { ok: false, error: 'socket_mode_not_enabled' }
      return { ok: true, url: standIn.socketMode.issueUrl() }
    }
    if (token?.startsWith('xapp-')) return { ok: false, error: 'not_allowed_token_type' }
    const invalid = blockErrors(blocksOf(body))
    if (invalid.length > 0) return { ok: false, error: 'invalid_blocks', errors: invalid }
    if (call.method === 'chat.update') {
      const held = messages.get(key(String(body.channel ?? ''), String(body.ts ?? '')))
      if (!held) return { ok: false, error: 'message_not_found' }
      held.text = String(body.text ?? '')
      held.blocks = blocksOf(body)
      held.versions.push({ text: held.text, blocks: held.blocks })
      return {
        ok: true,
        channel: held.channel,
        ts: held.ts,
        text: held.text,
        message: { type: 'message', text: held.text, blocks: held.blocks },
      }
    }
    const fresh = `1772366400.${String(ts++).padStart(6, '0')}`
    if (call.method === 'chat.postEphemeral') return { ok: true, message_ts: fresh }
    if (call.method === 'chat.postMessage' && status === 200) {
      const text = String(body.text ?? '')
      const blocks = blocksOf(body)
      const threadTs = body.thread_ts === undefined ? undefined : String(body.thread_ts)
      messages.set(key(channel, fresh), {
        channel,
        ts: fresh,
        text,
        blocks,
        thread_ts: threadTs,
        versions: [{ text, blocks }],
      })
    }
    return { ok: true, channel, ts: fresh }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  const standIn = {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    url: `http://127.0.0.1:${port}`,
    calls,
    /** Hold every answer this long. */
    delayMs: 0,
    posted: () => calls.filter((c) => c.method === 'chat.postMessage'),
    updates: () => calls.filter((c) => c.method === 'chat.update'),
    ephemerals: () => calls.filter((c) => c.method === 'chat.postEphemeral'),
    /** The message as it stands now (after every chat.update), by channel id and ts. */
    message: (channel: string, messageTs: string) => messages.get(key(channel, messageTs)),
    /** Every message posted with chat.postMessage and answered by default, in posting order. */
    messages: () => [...messages.values()],
    /** Attached by the Socket Mode stand-in: where apps.connections.open points the client. */
    socketMode: undefined as { issueUrl(): string } | undefined,
    /** The first call matching `pred` (past or future); undefined after `timeoutMs`, when given. */
    waitFor: (pred: (c: SlackCall) => boolean, timeoutMs?: number) =>
      new Promise<SlackCall | undefined>((resolve) => {
        const found = calls.find(pred)
        if (found) return resolve(found)
        const waiter = { pred, resolve }
        waiters.push(waiter)
        if (timeoutMs !== undefined) {
          setTimeout(() => {
            const index = waiters.indexOf(waiter)
            if (index >= 0) waiters.splice(index, 1)
            resolve(undefined)
          }, timeoutMs).unref()
        }
      }),
    async close() {
      for (const res of hung) res.destroy()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
  return standIn
}

export type SlackStandIn = Awaited<ReturnType<typeof startSlackStandIn>>

/** The bearer token of a call (header, or a `token` form field as Slack also accepts). */
function bearer(call: SlackCall): string | undefined {
  const header = /^Bearer (.+)$/.exec(call.auth ?? '')?.[1]
  return header ?? (typeof call.body.token === 'string' ? call.body.token : undefined)
}

/** What Slack's Block Kit validation would object to in `blocks` (see `blockErrors` callers). */
export function blockErrors(blocks: unknown[] | undefined): string[] {
  const errors: string[] = []
  const blockIds = new Set<string>()
  for (const [i, raw] of (blocks ?? []).entries()) {
    const block = raw as { block_id?: unknown; elements?: unknown; accessory?: unknown }
    if (typeof block.block_id === 'string') {
      if (blockIds.has(block.block_id)) errors.push(`duplicate block_id [json-pointer:/blocks/${i}/block_id]`)
      blockIds.add(block.block_id)
    }
    const elements = [...(Array.isArray(block.elements) ? block.elements : []), block.accessory].filter(
      Boolean,
    )
    const actionIds = new Set<string>()
    for (const [j, el] of (elements as Array<Record<string, unknown>>).entries()) {
      const where = `/blocks/${i}/elements/${j}`
      if (typeof el.action_id === 'string') {
        if (actionIds.has(el.action_id)) errors.push(`duplicate action_id [json-pointer:${where}/action_id]`)
        if (el.action_id.length > 255) errors.push(`action_id longer than 255 [json-pointer:${where}]`)
        actionIds.add(el.action_id)
      }
      if (el.type !== 'button') continue
      const label = (el.text as { text?: unknown } | undefined)?.text
      if (typeof label !== 'string' || label.length === 0 || label.length > 75)
        errors.push(`button text must be 1-75 characters [json-pointer:${where}/text]`)
      if (typeof el.value === 'string' && el.value.length > 2000)
        errors.push(`button value longer than 2000 [json-pointer:${where}/value]`)
    }
  }
  return errors
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

function parseBody(raw: string, contentType: string): Record<string, unknown> {
  if (contentType.includes('application/json')) return JSON.parse(raw || '{}') as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const [key, value] of new URLSearchParams(raw)) {
    out[key] = value.startsWith('[') || value.startsWith('{') ? JSON.parse(value) : value
  }
  return out
}
