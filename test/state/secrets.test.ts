import { mkdtemp, readFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { JsonFileStore } from '../../src/state/json-file-store.js'
import { MemoryStore } from '../../src/state/memory-store.js'
import { findSecretKeys } from '../../src/state/secrets.js'
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
})
