import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { PassThrough } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { manualClock } from '../../src/clock.js'
import { parseConfig } from '../../src/config.js'
import { HealthTracker } from '../../src/daemon/health.js'
import { createLogger } from '../../src/log.js'
import { enqueueDecisions } from '../../src/notify/outbox.js'
import { applyOutcomes } from '../../src/notify/outcomes.js'
import { parseRuleText } from '../../src/rules/rule-parse.js'
import { mayHoldSecret } from '../../src/secrets/definition.js'
import { configSecrets, stripActionSecrets } from '../../src/secrets/fields.js'
import { REDACTED, rememberSecrets, scrubSecrets } from '../../src/secrets/scrub.js'
import { JsonFileStore } from '../../src/state/json-file-store.js'
import { MemoryStore } from '../../src/state/memory-store.js'
import { emptyState } from '../../src/state/state-schema.js'
import { inputErrorOf } from '../helpers/input-error.js'
import { decision } from '../notify/helpers.js'

const API_KEY = 'seam_live_UnitSecret"Key\\42'
const TOKEN = 'xoxb-unit-secret-token'
const PASS = 'smtp p@ss/word'
const WEBHOOK = 'https://hooks.slack.example/services/T0/B0/unitWebhookSecret'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'seam-alerts-secrets-'))
  parseConfig(
    {
      seam: { apiKey: API_KEY },
      slack: { token: TOKEN },
      email: { smtp: { host: 'smtp.example.com', auth: { user: 'alerts', pass: PASS } }, from: 'a@b.c' },
      monitor: { actions: [{ type: 'slack', webhookUrl: WEBHOOK }] },
    },
    'config.json',
    {},
  )
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('the configured secrets', () => {
  it('are collected from the config with where they are, webhook URLs of its action lists included', () => {
    const config = parseConfig(
      { slack: { token: TOKEN }, monitor: { actions: [{ type: 'slack', webhookUrl: WEBHOOK }] } },
      'c.json',
      { SEAM_API_KEY: API_KEY },
    )
    expect(configSecrets(config).map(({ at, value }) => ({ at: at.join('.'), value }))).toEqual([
      { at: 'seam.apiKey', value: API_KEY },
      { at: 'slack.token', value: TOKEN },
      { at: 'monitor.actions.0.webhookUrl', value: WEBHOOK },
    ])
  })

  it('are scrubbed from any text: as written, JSON-escaped (once or twice), URL-encoded, and a webhook by its path', () => {
    const inJson = JSON.stringify({ error: `bad key ${API_KEY}` })
    const texts = [
      `Bearer ${API_KEY}`,
      inJson,
      JSON.stringify({ body: inJson }),
      `https://x.example/?token=${encodeURIComponent(TOKEN)}&pw=${encodeURIComponent(PASS)}`,
      `POST ${new URL(WEBHOOK).pathname} failed`,
      `${WEBHOOK} answered 404`,
    ]
    for (const text of texts) {
      const scrubbed = scrubSecrets(text)
      expect(scrubbed).toContain(REDACTED)
      for (const secret of [API_KEY, TOKEN, PASS, WEBHOOK, 'unitWebhookSecret', 'UnitSecret'])
        expect(scrubbed).not.toContain(secret)
    }
    expect(scrubSecrets('nothing to hide here')).toBe('nothing to hide here')
  })

  it('are stripped from an action before it is queued', () => {
    expect(stripActionSecrets({ type: 'slack', webhookUrl: WEBHOOK, title: 't' } as never)).toEqual({
      type: 'slack',
      title: 't',
    })
    const draft = emptyState()
    enqueueDecisions(draft, [decision()], () => ({ actions: [{ type: 'slack', webhookUrl: WEBHOOK }] }), 1)
    expect(JSON.stringify(draft)).not.toContain('unitWebhookSecret')
  })

  it('are never echoed in an input error: every path that may hold one is known', () => {
    for (const at of [
      ['seam', 'apiKey'],
      ['actions', 0, 'webhookUrl'],
      ['slack', 'apiUrl'],
      ['x', 'headers'],
    ])
      expect(mayHoldSecret(at), at.join('.')).toBe(true)
    for (const at of [['timezone'], ['window', 'within'], ['seam', 'pollInterval']])
      expect(mayHoldSecret(at), at.join('.')).toBe(false)
  })
})

describe('a secret with a control character', () => {
  const issues = (raw: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) => {
    const error = inputErrorOf(() => parseConfig(raw, 'cfg.json', env))
    expect(error.code).toBe('CONFIG_INVALID')
    expect(error.message).not.toContain('SECRET')
    return error.issues.map((issue) => `${issue.path}: ${issue.message}`)
  }

  it('is a config error naming the path and the kind of character, never the value', () => {
    expect(issues({ seam: { apiKey: 'seam_SECRET\r\nX-Injected: 1' } })).toEqual([
      '$.seam.apiKey: this secret contains a control character (CR, LF); a secret must be one line of printable text (check the file or the environment variable it comes from for a line break)',
    ])
    expect(issues({}, { SEAM_API_KEY: 'seam_SECRET\n' })[0]).toMatch(/^\$\.seam\.apiKey: .*\(LF\)/)
    expect(issues({ slack: { token: '${T}' } }, { T: 'xoxb-SECRET\u0085' })[0]).toMatch(
      /^\$\.slack\.token: .*\(U\+0085\)/,
    )
    expect(
      issues({
        email: { smtp: { host: 'h', auth: { user: 'u', pass: 'SECRET\t' } } },
        monitor: {
          actions: [{ type: 'console' }, { type: 'slack', webhookUrl: 'https://h.example/SECRET\n' }],
        },
      }).map((line) => line.split(':')[0]),
    ).toEqual(['$.email.smtp.auth.pass', '$.monitor.actions[1].webhookUrl'])
  })

  it('in a rule file is a rule error naming the file and path', () => {
    const rule = {
      id: 'r',
      eventTypes: ['device.low_battery'],
      actions: [{ type: 'slack', webhookUrl: 'https://hooks.example/SECRET\r\nX: 1' }],
    }
    const parsed = parseRuleText(JSON.stringify(rule), 'rules/r.json')
    expect(parsed.rule).toBeUndefined()
    expect(parsed.issues).toHaveLength(1)
    expect(parsed.issues[0]).toMatchObject({ file: 'rules/r.json', path: '$.actions[0].webhookUrl' })
    expect(parsed.issues[0]?.message).not.toContain('SECRET')
  })
})

describe('every choke point scrubs error texts', () => {
  it('log lines: message, fields and errors', () => {
    const out = new PassThrough()
    let text = ''
    out.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8')
    })
    const logger = createLogger({ destination: out, level: 'debug' })
    logger.error({ err: new Error(`undici: invalid header value ${API_KEY}`) }, `failed: ${TOKEN}`)
    logger.warn({ detail: { nested: `HTTP 500 ${WEBHOOK}` } }, 'x')
    expect(text).toContain(REDACTED)
    for (const secret of [API_KEY, JSON.stringify(API_KEY).slice(1, -1), TOKEN, WEBHOOK])
      expect(text).not.toContain(secret)
  })

  it('/healthz reasons', () => {
    const health = new HealthTracker(manualClock(0))
    health.fail('seam', `HTTP 500 from /events/list: error: bad key ${API_KEY}`)
    expect(JSON.stringify(health.report())).not.toContain('UnitSecret')
    expect(health.reason('seam')).toBe(`HTTP 500 from /events/list: error: bad key ${REDACTED}`)
  })

  it('dead letters and retries, where they are recorded', () => {
    const draft = emptyState()
    enqueueDecisions(
      draft,
      [decision(), decision({ event_id: 'evt_2' })],
      () => ({ actions: [{ type: 'console' }] }),
      1,
    )
    const [first, second] = draft.outbox
    applyOutcomes(draft, [
      { type: 'retry', items: [first!], error: `slack: HTTP 500 ${TOKEN}`, at: 2, nextAttemptAt: 3 },
      { type: 'dead', items: [second!], reason: `slack: HTTP 400 invalid ${TOKEN}`, at: 2 },
    ])
    expect(draft.outbox[0]?.lastError).toBe(`slack: HTTP 500 ${REDACTED}`)
    expect(draft.deadLetters[0]).toMatchObject({
      reason: `slack: HTTP 400 invalid ${REDACTED}`,
      lastError: `slack: HTTP 400 invalid ${REDACTED}`,
    })
  })

  it('the state file: a secret value that got past them is written as [redacted], and said so without it', async () => {
    const file = path.join(dir, 'state.json')
    const out = new PassThrough()
    let logs = ''
    out.on('data', (chunk: Buffer) => {
      logs += chunk.toString('utf8')
    })
    const store = await JsonFileStore.open(file, { logger: createLogger({ destination: out }) })
    const state = emptyState()
    enqueueDecisions(state, [decision()], () => ({ actions: [{ type: 'console' }] }), 1)
    state.deadLetters.push({ ...state.outbox[0]!, deadAt: 2, reason: `token ${TOKEN}`, lastError: API_KEY })
    state.monitor[`group ${PASS}`] = { since: 1, alerted: true }
    await store.save(state)
    await store.close()
    const written = await readFile(file, 'utf8')
    for (const secret of [TOKEN, 'UnitSecret', PASS]) expect(written).not.toContain(secret)
    expect(JSON.parse(written).deadLetters[0]).toMatchObject({
      reason: `token ${REDACTED}`,
      lastError: REDACTED,
    })
    expect(logs).toContain('$.deadLetters[0].reason')
    for (const secret of [TOKEN, 'UnitSecret', PASS]) expect(logs).not.toContain(secret)
  })

  it('the memory store (tests) refuses one instead, naming where', async () => {
    const state = emptyState()
    enqueueDecisions(state, [decision()], () => ({ actions: [{ type: 'console' }] }), 1)
    state.outbox[0]!.lastError = `HTTP 500 ${WEBHOOK}`
    await expect(new MemoryStore().save(state)).rejects.toMatchObject({
      code: 'STATE_WRITE_FAILED',
      message: 'memory store: configured secret values at $.outbox[0].lastError',
    })
  })
})

// Last: it remembers a secret made of digits, which would otherwise be everywhere in the tests above.
describe('the logger', () => {
  it('log lines stay JSON: a short numeric secret inside a timestamp is left alone', () => {
    const numeric = String(Date.now()).slice(0, 6)
    rememberSecrets([{ kind: 'token', value: numeric }])
    const out = new PassThrough()
    let text = ''
    out.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8')
    })
    createLogger({ destination: out }).warn({ pin: `pin ${numeric}` }, `login with ${numeric} refused`)
    const line = JSON.parse(text) as { time: number; msg: string; pin: string }
    expect(String(line.time)).toContain(numeric)
    expect(line).toMatchObject({ msg: `login with ${REDACTED} refused`, pin: `pin ${REDACTED}` })
  })
})
