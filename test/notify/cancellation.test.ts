import { afterEach, describe, expect, it } from 'vitest'
import { silentLogger } from '../../src/log.js'
import { EmailNotifier } from '../../src/notify/email.js'
import type { AlertMessage } from '../../src/notify/notifier.js'
import { enqueueDecisions } from '../../src/notify/outbox.js'
import { SlackNotifier } from '../../src/notify/slack.js'
import { SlackWebhookNotifier } from '../../src/notify/slack-webhook.js'
import type { Action } from '../../src/rules/action-schema.js'
import { openState } from '../helpers/fixtures.js'
import { eventually, startSilentTcp, startStalledHttp } from '../helpers/stalled-server.js'
import { decision, makeWorker, startSlackStandIn } from './helpers.js'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

const message = (action: Action): AlertMessage => ({
  id: 'battery-low:fire:evt_1:0',
  decision: decision(),
  action,
  rule: { id: 'battery-low', severity: 'critical' },
  timezone: 'UTC',
})

describe('cancelling a send (shutdown)', () => {
  it('Slack bot, incoming webhook: the request to a Slack that never answers is aborted', async () => {
    const stalled = await startStalledHttp()
    cleanups.push(stalled.close)
    const bot = new SlackNotifier({ token: 'xoxb-test', apiUrl: `${stalled.url}/api/`, logger: silentLogger })
    const webhook = new SlackWebhookNotifier()
    const sends: Array<[(signal: AbortSignal) => Promise<unknown>, string]> = [
      [(signal) => bot.send(message({ type: 'slack', channel: '#a' }), signal), '/api/chat.postMessage'],
      [
        (signal) => webhook.send(message({ type: 'slack', webhookUrl: `${stalled.url}/hook` }), signal),
        '/hook',
      ],
    ]
    for (const [send, path] of sends) {
      const controller = new AbortController()
      const sending = send(controller.signal).then(
        () => 'sent',
        () => 'rejected',
      )
      expect(await eventually(() => stalled.requests.some((r) => r.path === path))).toBe(true)
      controller.abort()
      expect(await sending).toBe('rejected')
      // The server never answers: only the client can have closed the connection (its own timeout is 15 s).
      expect(await eventually(() => stalled.requests.every((r) => r.closed))).toBe(true)
    }
  })

  it('email: the SMTP conversation with a server that never greets is closed', async () => {
    const silent = await startSilentTcp()
    cleanups.push(silent.close)
    const email = new EmailNotifier({
      smtp: { host: '127.0.0.1', port: silent.port, secure: false },
      from: 'alerts@example.com',
    })
    const controller = new AbortController()
    const sending = email.send(message({ type: 'email', to: ['ops@example.com'] }), controller.signal).then(
      () => 'sent',
      () => 'rejected',
    )
    expect(await eventually(() => silent.sockets.length === 1)).toBe(true)
    controller.abort()
    expect(await sending).toBe('rejected')
    expect(await eventually(() => silent.sockets[0]?.closed === true)).toBe(true)
  })

  it('the delivery worker aborts a hung send on stop: not a failure, the item stays queued and goes out later', async () => {
    const stalled = await startStalledHttp()
    cleanups.push(stalled.close)
    const state = await openState()
    const actions: Action[] = [{ type: 'slack', channel: '#hung' }]
    await state.update((d) => enqueueDecisions(d, [decision()], () => ({ actions }), 1))
    const outcomes: Array<{ outcome: string; id: string }> = []
    const hung = new SlackNotifier({ token: 'xoxb', apiUrl: `${stalled.url}/api/`, logger: silentLogger })
    const first = makeWorker({ state, notifiers: { slack: hung }, outcomes, realSleep: true }).worker
    first.start()
    expect(await eventually(() => stalled.requests.length === 1)).toBe(true)
    await first.stop(50)
    expect(await eventually(() => stalled.requests[0]?.closed === true)).toBe(true)
    expect(outcomes).toEqual([])
    expect(state.current().outbox).toMatchObject([{ target: 'slack:#hung', attempts: 0 }])
    expect(state.current().deadLetters).toEqual([])

    // The next start sends it.
    const slack = await startSlackStandIn()
    cleanups.push(slack.close)
    const live = new SlackNotifier({ token: 'xoxb', apiUrl: slack.apiUrl, logger: silentLogger })
    await makeWorker({ state, notifiers: { slack: live }, outcomes }).worker.drain(5000)
    expect(outcomes).toEqual([{ outcome: 'sent', id: 'battery-low:fire:evt_1:0', error: undefined }])
    expect(state.current().outbox).toEqual([])
  })

  it('a replica that lost its lease: no send once the check fails, and a send in flight is aborted, both left queued', async () => {
    const state = await openState()
    const actions: Action[] = [{ type: 'slack', channel: '#ha' }]
    await state.update((d) => enqueueDecisions(d, [decision()], () => ({ actions }), 1))
    const slack = await startSlackStandIn()
    cleanups.push(slack.close)
    const live = new SlackNotifier({ token: 'xoxb', apiUrl: slack.apiUrl, logger: silentLogger })
    const outcomes: Array<{ outcome: string; id: string }> = []
    // The lease expired while the process was frozen: the check right before the send says no.
    const expired = { mayAct: () => false, lost: new AbortController().signal }
    await makeWorker({ state, notifiers: { slack: live }, outcomes, leadership: expired }).worker.drain(300)
    expect(slack.calls).toEqual([])
    expect(outcomes).toEqual([])
    expect(state.current().outbox).toMatchObject([{ target: 'slack:#ha', attempts: 0 }])

    // Lost while a send hangs on the wire: aborted at once, not a failure, still queued for the next leader.
    const stalled = await startStalledHttp()
    cleanups.push(stalled.close)
    const hung = new SlackNotifier({ token: 'xoxb', apiUrl: `${stalled.url}/api/`, logger: silentLogger })
    const lost = new AbortController()
    const leader = { mayAct: () => !lost.signal.aborted, lost: lost.signal }
    const worker = makeWorker({
      state,
      notifiers: { slack: hung },
      outcomes,
      realSleep: true,
      leadership: leader,
    })
    worker.worker.start()
    expect(await eventually(() => stalled.requests.length === 1)).toBe(true)
    lost.abort()
    expect(await eventually(() => stalled.requests[0]?.closed === true)).toBe(true)
    await worker.worker.stop(10_000)
    expect(outcomes).toEqual([])
    expect(state.current().outbox).toMatchObject([{ target: 'slack:#ha', attempts: 0 }])
  })
})
