import { mkdtemp, readFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { ownMap } from '../../src/frozen.js'
import { findSecretKeys, findStateSecretKeys } from '../../src/secrets/state-screen.js'
import { JsonFileStore } from '../../src/state/json-file-store.js'
import { MemoryStore } from '../../src/state/memory-store.js'
import { stateJson } from '../../src/state/state-json.js'
import { draftOf } from '../../src/state/state-layout.js'
import { emptyState, type OutboxItem } from '../../src/state/state-schema.js'

const item = (action: Record<string, unknown>): OutboxItem => ({
  id: 'r:fire:e1:0',
  decision: {
    rule: 'r',
    kind: 'fire',
    group: {},
    event_id: 'e1',
    at: '2026-01-01T00:00:00.000Z',
    count: 1,
    suppressed: 0,
    event: {},
  },
  action,
  actionRef: 'rule:r#0',
  target: 'slack-webhook:r#0',
  createdAt: 1,
  attempts: 0,
  nextAttemptAt: 0,
})

describe('no secrets in the state', () => {
  it('finds secret-named keys anywhere, case-insensitively', () => {
    const state = emptyState()
    state.outbox.push(item({ type: 'slack-webhook', webhookUrl: 'https://hooks.slack.com/x' }))
    state.outbox.push(item({ type: 'email', smtp: { auth: { user: 'u', PASS: 'p' } } }))
    state.monitor.lag = { since: 1, alerted: false }
    ;(state.devices as Record<string, unknown>).d1 = { name: 'x', fetchedAt: 1, api_key: 'k' }
    expect(findSecretKeys(state, JSON.stringify(state))).toEqual([
      '$.outbox[0].action.webhookUrl',
      '$.outbox[1].action.smtp.auth.PASS',
      '$.devices.d1.api_key',
    ])
  })

  it('does not mistake ids for secrets (a rule or device called "token")', () => {
    const state = emptyState()
    state.rules.throttles.token = { '{"device_id":"pass"}': { lastFireAt: 1, suppressed: 0 } }
    state.devices.password = { name: 'token', fetchedAt: 1 }
    state.threads['token|{}'] = { slack: {}, email: {} }
    expect(findSecretKeys(state, JSON.stringify(state))).toEqual([])
  })

  it('does not treat fields of a Seam event payload as secrets (they are API data)', () => {
    const state = emptyState()
    const withToken = item({ type: 'slack', channel: '#x' })
    withToken.decision.event = { event_id: 'e1', token: 'not ours', access_grant_key: 'k' }
    state.outbox.push(withToken)
    expect(findSecretKeys(state, JSON.stringify(state))).toEqual([])
  })

  it('the file store refuses to write one and leaves the file as it was', async () => {
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'seam-state-secret-')), 'state.json')
    const store = await JsonFileStore.open(file)
    await store.save(emptyState())
    const before = await readFile(file, 'utf8')
    const state = emptyState()
    state.outbox.push(item({ type: 'slack', channel: '#x', token: 'xoxb-secret' }))
    const error = (await store.save(state).catch((e: unknown) => e)) as Error & { code: string }
    expect(error.code).toBe('STATE_WRITE_FAILED')
    expect(error.message).toContain('$.outbox[0].action.token')
    expect(error.message).not.toContain('xoxb-secret')
    expect(await readFile(file, 'utf8')).toBe(before)
    await store.close()
  })

  it('the memory store refuses too', async () => {
    const state = emptyState()
    state.outbox.push(item({ type: 'slack', authorization: 'Bearer x' }))
    await expect(new MemoryStore().save(state)).rejects.toMatchObject({ code: 'STATE_WRITE_FAILED' })
  })

  describe('the targeted screen of every file write (findStateSecretKeys)', () => {
    it('skips frozen parts it found clean, and still finds a secret in what an update added next to them', () => {
      const state = emptyState()
      state.threads['r|{}'] = { slack: { '#ops': { channel: 'C1', ts: '1.0' } }, email: {} }
      state.outbox.push(item({ type: 'console' }))
      stateJson(state) // freezes the records and the shared maps, as every StateHolder save does
      expect(findStateSecretKeys(state)).toEqual([])
      const draft = draftOf(state)
      ownMap(draft, 'threads')['r|{"device_id":"d"}'] = {
        slack: { '#ops': { channel: 'C1', ts: '2.0', ...{ token: 'x' } } },
        email: {},
      }
      draft.outbox.push(item({ type: 'slack', ...{ token: 'xoxb' } }))
      expect(findStateSecretKeys(draft)).toEqual([
        '$.outbox[1].action.token',
        '$.threads["r|{\\"device_id\\":\\"d\\"}"].slack["#ops"].token',
      ])
    })

    it('finds secret-named keys where configuration enters the state', () => {
      const state = emptyState()
      state.outbox.push(item({ type: 'slack-webhook', webhookUrl: 'https://hooks.slack.com/x' }))
      const grouped = item({ type: 'console' })
      grouped.decision.group = { Token: 'x' }
      state.outbox.push(grouped)
      state.deadLetters.push({
        ...item({ type: 'email', smtp: { auth: { pass: 'p' } } }),
        deadAt: 1,
        reason: 'r',
      })
      state.sent.push({ id: 's', target: 't', sentAt: 1, ...{ apiKey: 'k' } })
      state.rules.timers.offline = {
        '{}': {
          event_id: 'e',
          group: { secret: 1 },
          openedAt: 0,
          deadline: 1,
          event: { token: 'seam data' },
        },
      }
      state.threads['r|{}'] = {
        slack: { '#x': { channel: 'C', ts: '1' } },
        email: {},
        ...{ authorization: 'a' },
      }
      state.digests.r = {
        '{}': { group: { password: 'p' }, count: 1, firstAt: '', lastAt: '', eventIds: [] },
      }
      ;(state as Record<string, unknown>).config = { slack: { token: 'xoxb' } }
      ;(state.rules as Record<string, unknown>).apiKey = 'k'
      ;(state.source as Record<string, unknown>).password = 'p'
      expect(findStateSecretKeys(state)).toEqual([
        '$.source.password',
        '$.rules.timers.offline["{}"].group.secret',
        '$.rules.apiKey',
        '$.outbox[0].action.webhookUrl',
        '$.outbox[1].decision.group.Token',
        '$.deadLetters[0].action.smtp.auth.pass',
        '$.sent[0].apiKey',
        '$.threads["r|{}"].authorization',
        '$.digests.r["{}"].group.password',
        '$.config.slack.token',
      ])
    })

    it('agrees with the full walk on ids called "token" and on Seam event payloads', () => {
      const state = emptyState()
      state.rules.throttles.token = { '{"device_id":"pass"}': { lastFireAt: 1, suppressed: 0 } }
      state.rules.timers.token = {
        '{"device_id":"pass"}': { event_id: 'e', group: {}, openedAt: 0, deadline: 1, event: { token: 'x' } },
      }
      state.devices.password = { name: 'token', fetchedAt: 1 }
      state.threads['token|{}'] = { slack: {}, email: {} }
      state.digests.token = { secret: { group: {}, count: 1, firstAt: '', lastAt: '', eventIds: [] } }
      state.monitor.token = { since: 1, alerted: false }
      const withToken = item({ type: 'slack', channel: '#x' })
      withToken.decision.event = { event_id: 'e1', token: 'not ours', access_grant_key: 'k' }
      state.outbox.push(withToken)
      state.deadLetters.push({ ...withToken, deadAt: 1, reason: 'r' })
      expect(findStateSecretKeys(state)).toEqual([])
      expect(findSecretKeys(state)).toEqual([])
    })

    it('the file store refuses a secret in a dead letter', async () => {
      const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'seam-state-secret-')), 'state.json')
      const store = await JsonFileStore.open(file)
      const state = emptyState()
      state.deadLetters.push({ ...item({ type: 'slack', api_key: 'k' }), deadAt: 1, reason: 'r' })
      await expect(store.save(state)).rejects.toMatchObject({
        code: 'STATE_WRITE_FAILED',
        message: expect.stringContaining('$.deadLetters[0].action.api_key'),
      })
      await expect(readFile(file)).rejects.toMatchObject({ code: 'ENOENT' })
      expect(store.lastSaveBytes).toBeUndefined()
      await store.close()
    })
  })
})
