import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Command } from 'commander'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { register, testNotify } from '../../src/cli/commands/test-notify.js'
import { InputError } from '../../src/errors.js'
import { captureStream as capture } from '../helpers/fixtures.js'
import { startSlackStandIn, startSmtp } from './helpers.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'test-notify-'))
})
afterEach(async () => {
  process.exitCode = undefined
  await rm(dir, { recursive: true, force: true })
})

describe('seam-alerts test-notify', () => {
  it('sends a sample alert through the configured Slack bot and reports the classified failure', async () => {
    const standIn = await startSlackStandIn((call) =>
      call.body.channel === '#nope' ? { body: { ok: false, error: 'channel_not_found' } } : undefined,
    )
    try {
      const config = path.join(dir, 'config.json')
      await writeFile(config, JSON.stringify({ slack: { token: '${SLACK_TOKEN}', apiUrl: standIn.apiUrl } }))
      const out = capture()
      const io = {
        stdout: out.stream,
        stderr: capture().stream,
        env: { SLACK_TOKEN: 'xoxb-from-env' },
        now: () => 0,
      }
      const program = new Command().exitOverride()
      register(program, io)
      await program.parseAsync(
        ['test-notify', '--action', '{"type":"slack","channel":"#alerts"}', '--config', config],
        {
          from: 'user',
        },
      )
      expect(process.exitCode).toBe(0)
      expect(out.text()).toContain('sent via slack to C_alerts')
      expect(standIn.posted()[0]?.auth).toBe('Bearer xoxb-from-env')
      expect(JSON.stringify(standIn.posted()[0]?.body.blocks)).toContain('Sample Front Door')

      const code = await testNotify({ action: '{"type":"slack","channel":"#nope"}', config }, io)
      expect(code).toBe(1)
      expect(out.text()).toContain('FAILED via slack: slack: channel_not_found (permanent)')
    } finally {
      await standIn.close()
    }
  })

  it('sends through SMTP from the config, and fails loudly when the server refuses a recipient', async () => {
    const smtp = await startSmtp((nth) => (nth === 3 ? 550 : undefined))
    try {
      const config = path.join(dir, 'config.json')
      await writeFile(
        config,
        JSON.stringify({
          email: { smtp: { host: '127.0.0.1', port: smtp.port }, from: 'alerts@example.com' },
        }),
      )
      const out = capture()
      const code = await testNotify(
        { action: '{"type":"email","to":["oncall@example.com"]}', config },
        { stdout: out.stream, stderr: capture().stream, env: {}, now: () => 0 },
      )
      expect(out.text()).toContain('sent via email')
      expect(code).toBe(0)
      expect(smtp.messages[0]?.subject).toContain('Test alert from seam-alerts test-notify')

      const partial = capture()
      const refused = await testNotify(
        { action: '{"type":"email","to":["oncall@example.com","gone@example.com"]}', config },
        { stdout: partial.stream, stderr: capture().stream, env: {}, now: () => 0 },
      )
      expect(partial.text()).toMatch(/sent via email.*\n.*REFUSED gone@example\.com: .*550/)
      expect(refused).toBe(1)
    } finally {
      await smtp.close()
    }
  })

  it('rejects an invalid action naming the JSON path, and a channel that is not configured', async () => {
    const io = { stdout: capture().stream, stderr: capture().stream, env: {}, now: () => 0 }
    await expect(testNotify({ action: '{"type":"email","to":[]}' }, io)).rejects.toThrow(/--action: \$\.to/)
    await expect(testNotify({ action: '{nope' }, io)).rejects.toBeInstanceOf(InputError)
    const out = capture()
    const code = await testNotify(
      { action: '{"type":"slack","channel":"#x"}' },
      { ...io, stdout: out.stream },
    )
    expect(code).toBe(1)
    expect(out.text()).toContain('slack.token')
  })
})
