import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { testNotify } from '../../src/cli/commands/test-notify.js'
import { InputError } from '../../src/errors.js'
import { captureStream as capture } from '../helpers/fixtures.js'
import { type HttpStandIn, startHttpStandIn } from '../helpers/http-stand-in.js'

let dir: string
let receiver: HttpStandIn
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'test-notify-'))
  receiver = await startHttpStandIn((call) =>
    call.path.includes('bad')
      ? { status: 400, body: '{"status":"invalid event","message":"Event object is invalid"}' }
      : { status: 202 },
  )
})
afterEach(async () => {
  await receiver.close()
  await rm(dir, { recursive: true, force: true })
})

function io(env: NodeJS.ProcessEnv = {}) {
  const out = capture()
  return { out, io: { stdout: out.stream, stderr: capture().stream, env, now: () => 1_772_366_400_000 } }
}

describe('test-notify with the new destinations', () => {
  it('sends a sample alert to PagerDuty (pagerduty.apiUrl from the config) and prints a 400 as permanent', async () => {
    const config = path.join(dir, 'config.json')
    await writeFile(config, JSON.stringify({ pagerduty: { apiUrl: `${receiver.url}/v2/enqueue` } }))
    const { out, io: cli } = io({ PD_ROUTING_KEY: 'pd-routing-key-0123456789abcdef' })
    const code = await testNotify(
      { action: '{"type":"pagerduty","routingKey":"${PD_ROUTING_KEY}"}', config },
      cli,
    )
    expect(code).toBe(0)
    expect(out.text()).toMatch(/^test-notify: sent via pagerduty \(ref seam-alerts:test-notify\|/)
    expect(out.text()).not.toContain('pd-routing-key')
    expect(receiver.calls[0]?.json).toMatchObject({
      routing_key: 'pd-routing-key-0123456789abcdef',
      event_action: 'trigger',
      payload: { source: 'Sample Front Door', severity: 'info' },
    })

    await writeFile(config, JSON.stringify({ pagerduty: { apiUrl: `${receiver.url}/bad` } }))
    const failed = io({ PD_ROUTING_KEY: 'pd-routing-key-0123456789abcdef' })
    expect(
      await testNotify(
        { action: '{"type":"pagerduty","routingKey":"${PD_ROUTING_KEY}"}', config },
        failed.io,
      ),
    ).toBe(1)
    expect(failed.out.text()).toBe(
      'test-notify: FAILED via pagerduty: pagerduty: HTTP 400 invalid event: Event object is invalid (permanent)\n',
    )
  })

  it('sends to a signed webhook and to Teams without a config, never printing the URL', async () => {
    const hook = `${receiver.url}/hooks/secret-hook-path`
    const { out, io: cli } = io({ HOOK: hook, TEAMS: `${receiver.url}/workflows/secret-flow` })
    expect(
      await testNotify({ action: '{"type":"webhook","url":"${HOOK}","secret":"s3cret-value"}' }, cli),
    ).toBe(0)
    expect(await testNotify({ action: '{"type":"teams","webhookUrl":"${TEAMS}"}' }, cli)).toBe(0)
    expect(out.text()).toContain('test-notify: sent via webhook')
    expect(out.text()).toContain('test-notify: sent via teams')
    expect(out.text()).not.toContain('secret-')
    expect(receiver.calls.map((c) => c.path)).toEqual(['/hooks/secret-hook-path', '/workflows/secret-flow'])
    expect(receiver.calls[0]?.headers['x-seam-alerts-signature']).toMatch(/^v1=/)
    expect(receiver.calls[1]?.json).toMatchObject({ type: 'message' })
  })

  it('rejects a malformed action with the JSON path and what was expected', async () => {
    const cases: Array<[string, string]> = [
      ['{"type":"pagerduty"}', '--action: $.routingKey:'],
      ['{"type":"pagerduty","routingKey":"k","severity":"fatal"}', '--action: $.severity:'],
      ['{"type":"webhook","url":"ftp://x.example/y"}', '--action: $.url:'],
      ['{"type":"webhook","url":"https://x.example","headers":{"Bad Header":"v"}}', '--action: $.headers'],
      ['{"type":"teams","webhookUrl":"not a url"}', '--action: $.webhookUrl:'],
      ['{"type":"teams","webhookUrl":"https://x.example","channel":"#x"}', '--action: $.channel:'],
    ]
    for (const [action, start] of cases) {
      const error = await testNotify({ action }, io().io).catch((e: unknown) => e)
      expect(error, action).toBeInstanceOf(InputError)
      expect(String((error as Error).message), action).toContain(start)
    }
  })
})
