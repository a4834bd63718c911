import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { silentLogger } from '../../src/log.js'
import { ConsoleNotifier } from '../../src/notify/console.js'
import { enqueueDecisions, enqueueMonitorAlert } from '../../src/notify/outbox.js'
import { SlackNotifier } from '../../src/notify/slack.js'
import type { Action } from '../../src/rules/action-schema.js'
import { JsonFileStore } from '../../src/state/json-file-store.js'
import { MemoryStore } from '../../src/state/memory-store.js'
import { StateHolder } from '../../src/state/state-holder.js'
import { emptyState } from '../../src/state/state-schema.js'
import { decision, makeWorker, startSlackStandIn } from './helpers.js'

const actions: Action[] = [
  { type: 'slack', channel: '#security', title: '{{device.name}}' },
  { type: 'slack', webhookUrl: 'https://hooks.slack.example/services/T/B/secret' },
  { type: 'email', to: ['a@example.com'] },
]

describe('enqueueDecisions', () => {
  it('queues one item per action with stable ids, secrets stripped, actionRef kept', () => {
    const draft = emptyState()
    const added = enqueueDecisions(draft, [decision()], () => ({ actions }), 100)
    expect(added).toBe(3)
    expect(draft.outbox.map((i) => i.id)).toEqual([
      'battery-low:fire:evt_1:0',
      'battery-low:fire:evt_1:1',
      'battery-low:fire:evt_1:2',
    ])
    expect(draft.outbox.map((i) => i.actionRef)).toEqual([
      'rule:battery-low#0',
      'rule:battery-low#1',
      'rule:battery-low#2',
    ])
    expect(draft.outbox[0]?.action).toEqual({ type: 'slack', channel: '#security', title: '{{device.name}}' })
    expect(draft.outbox[1]?.action).toEqual({ type: 'slack' })
    expect(draft.outbox[1]?.target).toMatch(/^slack-webhook:[0-9a-f]+$/)
    expect(JSON.stringify(draft)).not.toContain('secret')
    expect(draft.outbox[0]).toMatchObject({ createdAt: 100, attempts: 0, nextAttemptAt: 100 })
  })

  it('never queues an id twice (outbox, sent, dead letters), skips digest rules and unknown rules', () => {
    const draft = emptyState()
    const lookup = (id: string) =>
      id === 'battery-low'
        ? { actions }
        : id === 'digested'
          ? { actions, digest: { cron: '0 9 * * *' } }
          : undefined
    enqueueDecisions(draft, [decision()], lookup, 1)
    expect(enqueueDecisions(draft, [decision()], lookup, 2)).toBe(0)
    draft.sent.push({ id: 'battery-low:fire:evt_2:0', target: 'x', sentAt: 1 })
    expect(enqueueDecisions(draft, [decision({ event_id: 'evt_2' })], lookup, 3)).toBe(2)
    expect(
      enqueueDecisions(draft, [decision({ rule: 'digested' }), decision({ rule: 'gone' })], lookup, 4),
    ).toBe(0)
    expect(draft.outbox).toHaveLength(5)
  })

  it('queues monitor alerts with monitor#i refs', () => {
    const draft = emptyState()
    enqueueMonitorAlert(draft, decision({ rule: 'seam-down', group: {} }), [{ type: 'console' }], 5)
    expect(draft.outbox[0]).toMatchObject({
      id: 'seam-down:fire:evt_1:0',
      actionRef: 'monitor#0',
      target: 'console',
    })
  })
})

describe('outbox durability', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'notify-outbox-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('an alert written to the outbox but never sent (crash) is sent after restart, exactly once', async () => {
    const standIn = await startSlackStandIn()
    try {
      const file = path.join(dir, 'state.json')
      const slackAction: Action[] = [{ type: 'slack', channel: '#security' }]
      // Process 1: the cursor advance and the outbox write happen in one update, then the process dies
      // before the worker sends anything.
      {
        const store = await JsonFileStore.open(file, { logger: silentLogger })
        const state = await StateHolder.open(store, { initial: emptyState, logger: silentLogger })
        await state.update((draft) => {
          draft.source.cursor = 'evt_1'
          enqueueDecisions(draft, [decision()], () => ({ actions: slackAction }), 1)
        })
        await store.close() // crash: no worker ever ran
      }
      expect(standIn.posted()).toHaveLength(0)
      // Process 2: a new worker on the loaded state delivers it.
      {
        const store = await JsonFileStore.open(file, { logger: silentLogger })
        const state = await StateHolder.open(store, { initial: emptyState, logger: silentLogger })
        expect(state.current().source.cursor).toBe('evt_1')
        expect(state.current().outbox).toHaveLength(1)
        const notifiers = {
          slack: new SlackNotifier({ token: 'xoxb-1', apiUrl: standIn.apiUrl, logger: silentLogger }),
        }
        const { worker } = makeWorker({ state, notifiers })
        await worker.drain(5000)
        await worker.drain(5000)
        // The same decision re-decided after the restart (e.g. replayed lookback) is not queued again.
        await state.update((draft) =>
          enqueueDecisions(draft, [decision()], () => ({ actions: slackAction }), 2),
        )
        await worker.drain(5000)
        await worker.stop(1000)
        await store.close()
      }
      // Process 3: nothing left to send.
      {
        const store = await JsonFileStore.open(file, { logger: silentLogger })
        const state = await StateHolder.open(store, { initial: emptyState, logger: silentLogger })
        expect(state.current().outbox).toHaveLength(0)
        expect(state.current().sent.map((s) => s.id)).toEqual(['battery-low:fire:evt_1:0'])
        const console = new ConsoleNotifier({ stream: process.stderr })
        const { worker } = makeWorker({ state, notifiers: { console } })
        await worker.drain(1000)
        await store.close()
      }
      expect(standIn.posted()).toHaveLength(1)
    } finally {
      await standIn.close()
    }
  })

  it('a crash between "sent" and "recorded" resends once after restart (the one allowed duplicate)', async () => {
    const standIn = await startSlackStandIn()
    try {
      const store = new MemoryStore()
      const slackAction: Action[] = [{ type: 'slack', channel: '#security' }]
      const notifiers = {
        slack: new SlackNotifier({ token: 'xoxb-1', apiUrl: standIn.apiUrl, logger: silentLogger }),
      }
      {
        const state = await StateHolder.open(store, { initial: emptyState, logger: silentLogger })
        await state.update((draft) =>
          enqueueDecisions(draft, [decision()], () => ({ actions: slackAction }), 1),
        )
        store.failWith = 'ENOSPC' // the outcome cannot be written: the process "dies" with it unrecorded
        const { worker } = makeWorker({ state, notifiers })
        await worker.drain(5000)
        await worker.drain(5000) // not resent by the same process
        expect(standIn.posted()).toHaveLength(1)
      }
      store.failWith = undefined
      const state = await StateHolder.open(store, { initial: emptyState, logger: silentLogger })
      expect(state.current().outbox).toHaveLength(1)
      const { worker } = makeWorker({ state, notifiers })
      await worker.drain(5000)
      expect(standIn.posted()).toHaveLength(2)
      expect(state.current().outbox).toHaveLength(0)
      expect(state.current().sent).toHaveLength(1)
    } finally {
      await standIn.close()
    }
  })
})
