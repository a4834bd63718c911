import { readFile, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js'
import { type DaemonProcess, spawnCli } from './helpers/daemon-process.js'
import { type E2eDirs, makeDirs } from './helpers/setup.js'

/**
 * Issue 17 item 3: no configured secret reaches a log line, stderr, /healthz, the state file or `state
 * dead-letters`, whether it is malformed (control characters: refused at start, exit 78) or well-formed and
 * echoed back by a server in an error.
 */

/** A Seam API stand-in on 127.0.0.1 that fails every call with a 500 whose message echoes the Bearer key. */
async function startEchoingSeam(): Promise<{ url: string; requests: () => number; close(): Promise<void> }> {
  let requests = 0
  const server: Server = createServer((req, res) => {
    requests++
    req.resume()
    res.writeHead(500, { 'content-type': 'application/json' })
    const echoed = String(req.headers.authorization ?? '').replace(/^Bearer /, '')
    res.end(JSON.stringify({ error: { type: 'internal', message: `cannot authorize key ${echoed}` } }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

let dirs: E2eDirs
let seam: Awaited<ReturnType<typeof startEchoingSeam>>
let slack: SlackStandIn
let procs: DaemonProcess[] = []

afterEach(async () => {
  for (const proc of procs) if (proc.child.exitCode === null) proc.kill('SIGKILL')
  await Promise.all(procs.map((proc) => proc.exited))
  procs = []
  await seam?.close()
  await slack?.close()
  await dirs?.cleanup()
})

async function setup(config: { apiKey?: string; slackToken?: string }): Promise<void> {
  dirs = await makeDirs()
  seam = await startEchoingSeam()
  // A Slack that refuses the token and quotes it back (a proxy or a chatty error page).
  slack = await startSlackStandIn((call) => ({ status: 400, body: `invalid token ${call.auth ?? ''}` }))
  await writeFile(
    dirs.config,
    JSON.stringify({
      seam: { endpoint: seam.url, pollInterval: '300ms', requestTimeout: '2s', apiKey: config.apiKey },
      slack: { token: '${TEST_SLACK_TOKEN}', apiUrl: slack.apiUrl },
      state: './state.json',
      server: { host: '127.0.0.1', port: 0 },
      delivery: { backoff: '100ms', maxBackoff: '200ms', maxAttempts: 2 },
      monitor: { seamDownAfter: '1s', actions: [{ type: 'slack', channel: '#ops' }] },
    }),
  )
}

function cli(args: string[], env: NodeJS.ProcessEnv): DaemonProcess {
  const proc = spawnCli(args, env)
  procs.push(proc)
  return proc
}

/** Poll an async check until it gives a value (or fail with the daemon's output after `ms`). */
async function until<T>(
  proc: DaemonProcess,
  check: () => Promise<T | undefined | false>,
  ms: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await check().catch(() => undefined)
    if (value) return value
    if (Date.now() > deadline || proc.child.exitCode !== null)
      throw new Error(`timed out waiting for ${what}\n--- stderr ---\n${proc.stderr().slice(-4000)}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** Ends within `ms` (a daemon that starts anyway would not end), with its code. */
async function exitCode(proc: DaemonProcess, ms = 45_000): Promise<number | null | 'still running'> {
  const timeout = new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), ms))
  const ended = await Promise.race([proc.exited, timeout])
  return ended === 'still running' ? ended : ended.code
}

describe('a secret with control characters', () => {
  it('an API key with CRLF in the config: exit 78 naming the path, nothing sent, the key nowhere in the output', async () => {
    await setup({ apiKey: 'seam_SECRET\r\nX-Injected: 1' })
    const daemon = cli(['run', '--config', dirs.config], { TEST_SLACK_TOKEN: 'xoxb-fine-token' })
    expect(await exitCode(daemon)).toBe(78)
    expect(daemon.stderr()).toContain('$.seam.apiKey: this secret contains a control character (CR, LF)')
    expect(daemon.stderr() + daemon.stdout()).not.toMatch(/SECRET|X-Injected/)
    expect(seam.requests()).toBe(0)
  }, 90_000)

  it('the same key from SEAM_API_KEY, and a Slack token with a newline: the same', async () => {
    await setup({})
    const fromEnv = cli(['run', '--config', dirs.config], {
      SEAM_API_KEY: 'seam_SECRET\r\nX-Injected: 1',
      TEST_SLACK_TOKEN: 'xoxb-fine-token',
    })
    expect(await exitCode(fromEnv)).toBe(78)
    expect(fromEnv.stderr()).toContain('$.seam.apiKey: this secret contains a control character')
    expect(fromEnv.stderr() + fromEnv.stdout()).not.toMatch(/SECRET|X-Injected/)

    const token = cli(['run', '--config', dirs.config], {
      SEAM_API_KEY: 'seam_fine_key',
      TEST_SLACK_TOKEN: 'xoxb-SECRET\n',
    })
    expect(await exitCode(token)).toBe(78)
    expect(token.stderr()).toContain('$.slack.token: this secret contains a control character (LF)')
    expect(token.stderr() + token.stdout()).not.toContain('SECRET')
    expect(seam.requests()).toBe(0)
    expect(slack.calls).toHaveLength(0)
  }, 120_000)
})

describe('a well-formed secret echoed back in an error', () => {
  it('never reaches the logs, /healthz, the Slack message, the state file or `state dead-letters`', async () => {
    const apiKey = 'seam_live_EchoedApiKey_8c1f'
    const token = 'xoxb-EchoedSlackToken-77'
    await setup({ apiKey })
    const env = { TEST_SLACK_TOKEN: token }
    const daemon = cli(['run', '--config', dirs.config], env)
    const health = await daemon.healthUrl(60_000)
    // Seam fails with the key in its message: /healthz says so, without the key.
    const reasons = await until(
      daemon,
      async () => {
        const res = await fetch(`${health}/healthz`)
        const body = (await res.json()) as { reasons: string[] }
        return res.status === 503 && body.reasons.length > 0 ? body.reasons : undefined
      },
      60_000,
      '/healthz 503',
    )
    expect(reasons.join('\n')).toContain('cannot authorize key [redacted]')
    // The seam-down meta-alert goes to Slack, which refuses it quoting the token: dead-lettered.
    const dead = await until(
      daemon,
      async () => {
        const text = await readFile(dirs.state, 'utf8')
        return (JSON.parse(text) as { deadLetters: unknown[] }).deadLetters.length > 0 && text
      },
      60_000,
      'a dead letter in the state file',
    )
    expect(dead).toContain('[redacted]')
    daemon.kill('SIGTERM')
    expect(await exitCode(daemon)).toBe(0)

    const list = cli(['state', 'dead-letters', '--config', dirs.config], env)
    const listJson = cli(['state', 'dead-letters', '--state', dirs.state, '--json'], {})
    expect([await exitCode(list), await exitCode(listJson)]).toEqual([0, 0])
    expect(list.stdout()).toContain('slack: HTTP 400')
    const everything = [
      daemon.stdout(),
      daemon.stderr(),
      await readFile(dirs.state, 'utf8'),
      list.stdout() + list.stderr(),
      listJson.stdout() + listJson.stderr(),
      JSON.stringify(slack.posted().map((call) => call.body)),
    ].join('\n')
    expect(slack.posted().length).toBeGreaterThan(0)
    expect(everything).not.toContain('EchoedApiKey')
    expect(everything).not.toContain('EchoedSlackToken')
  }, 120_000)
})
