import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { MAX_CONDITION_DEPTH } from '../../src/rules/nesting-limit.js'
import { type FakeSeam, startFakeSeam } from '../helpers/fake-seam.js'
import { type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js'
import { type SmtpStandIn, startSmtp } from '../helpers/smtp-server.js'
import { type DaemonProcess, spawnCli } from './helpers/daemon-process.js'
import { type E2eDirs, makeDirs, slackTrace, writeConfig } from './helpers/setup.js'

/**
 * Issue 17, items 1 and 11, in the running daemon: a too-deep rule file is reported with its file and JSON path
 * (at start and on hot reload, where the last good rule set keeps running), and a catastrophic-backtracking
 * `matches` pattern cannot stall a cycle or /healthz.
 */
const ENV = { TEST_SLACK_TOKEN: 'xoxb-e2e-test-token' }

let fake: FakeSeam
let slack: SlackStandIn
let smtp: SmtpStandIn
let dirs: E2eDirs
let daemons: DaemonProcess[] = []

beforeAll(async () => {
  fake = await startFakeSeam()
})
afterAll(async () => {
  await fake.close()
})

async function setup(): Promise<void> {
  slack = await startSlackStandIn({ channelIds: false })
  smtp = await startSmtp()
  dirs = await makeDirs()
  await writeConfig(dirs, {
    seamUrl: fake.url,
    apiKey: fake.apiKey,
    slackApiUrl: slack.apiUrl,
    smtpPort: smtp.port,
    startFrom: new Date(Date.now() - 1000).toISOString(),
  })
}

afterEach(async () => {
  // SIGKILL: a daemon stuck in a backtracking match ignores SIGTERM.
  for (const daemon of daemons) if (daemon.child.exitCode === null) daemon.kill('SIGKILL')
  await Promise.all(daemons.map((d) => d.exited))
  daemons = []
  await slack.close()
  await smtp.close()
  await dirs.cleanup()
})

function start(...args: string[]): DaemonProcess {
  const daemon = spawnCli(['run', '--config', dirs.config, ...args], ENV)
  daemons.push(daemon)
  return daemon
}

const slackRules = () => slack.posted().map((call) => slackTrace(String(call.body.text ?? '')))

/** The `tampered` rule of the e2e rules, its conditions nested 1,000 levels deep. */
function deepTampered(): string {
  let node: unknown = { fact: 'device_id', operator: 'exists', value: true }
  for (let i = 0; i < 1000; i++) node = { all: [node] }
  return JSON.stringify({
    id: 'tampered',
    eventTypes: ['device.tampered'],
    conditions: node,
    actions: [{ type: 'slack', channel: '#security' }],
  })
}

const deepPath = `$.conditions${'.all[0]'.repeat(MAX_CONDITION_DEPTH)}`
const problemLine = (daemon: DaemonProcess, file: string) =>
  daemon.logs().find((line) => line.file === file && String(line.msg).startsWith('rule problem: '))

describe('rule files and patterns cannot take the daemon down', () => {
  it('run --once reports a too-deep rule file by file and path and runs the other rules', async () => {
    await setup()
    const file = path.join(dirs.rules, 'tampered.json')
    await writeFile(file, deepTampered())
    const denied = [1, 2, 3].map(() =>
      fake.addEvent({ event_type: 'lock.access_denied', device_id: fake.deviceIds[1] }),
    )
    const daemon = start('--once')
    const { code } = await daemon.exited
    expect(daemon.stderr()).not.toContain('RangeError')
    expect(code).toBe(0)
    expect(problemLine(daemon, file)).toMatchObject({
      path: deepPath,
      msg: `rule problem: ${file}: ${deepPath}: conditions nested more than ${MAX_CONDITION_DEPTH} levels deep (the limit is ${MAX_CONDITION_DEPTH})`,
    })
    expect(slackRules()).toEqual([{ rule: 'denied-burst', eventId: denied[2]!.event_id }])
  }, 90_000)

  it('hot reload of a too-deep rule names the file and keeps the last good version running', async () => {
    await setup()
    const daemon = start()
    await daemon.healthUrl()
    const file = path.join(dirs.rules, 'tampered.json')
    await writeFile(file, deepTampered())
    const problem = await daemon.waitFor(() => problemLine(daemon, file), 30_000, 'the rule problem')
    expect(problem).toMatchObject({ path: deepPath })
    expect(daemon.logs().map((line) => line.msg)).toContain(
      `${file}: keeping the last good version of rule "tampered" until the file is fixed`,
    )
    expect(daemon.stderr()).not.toContain('rule reload failed')
    const tampered = fake.addEvent({ event_type: 'device.tampered', device_id: fake.deviceIds[0] })
    await daemon.waitFor(
      () => slackRules().find((trace) => trace?.eventId === tampered.event_id),
      30_000,
      'the alert of the last good "tampered" rule',
    )
  }, 90_000)

  it('a catastrophic-backtracking pattern neither stalls the cycle nor /healthz', async () => {
    await setup()
    await writeFile(
      path.join(dirs.rules, 'tampered.json'),
      JSON.stringify({
        id: 'tampered',
        eventTypes: ['device.tampered'],
        conditions: { all: [{ fact: 'device_name', operator: 'matches', value: '^(a+)+$' }] },
        actions: [{ type: 'slack', channel: '#security' }],
      }),
    )
    const daemon = start()
    const health = await daemon.healthUrl()
    const device = fake.deviceIds[0]
    fake.addEvent({
      event_type: 'device.tampered',
      device_id: device,
      device_name: `${'a'.repeat(34)}b`,
    } as never)
    const match = fake.addEvent({
      event_type: 'device.tampered',
      device_id: device,
      device_name: 'a'.repeat(34),
    } as never)
    await daemon.waitFor(
      () => slackRules().find((trace) => trace?.eventId === match.event_id),
      30_000,
      'the alert for the matching event',
    )
    expect(slackRules()).toEqual([{ rule: 'tampered', eventId: match.event_id }])
    const healthz = await fetch(`${health}/healthz`, { signal: AbortSignal.timeout(10_000) })
    expect(healthz.status).toBe(200)
  }, 90_000)
})
