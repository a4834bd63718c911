import { existsSync } from 'node:fs'
import { lstat, mkdir, readFile, rm, symlink, truncate, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { JsonFileStore } from '../../src/state/json-file-store.js'
import { lockDirFor, lockStatus } from '../../src/state/lock.js'
import { type FakeSeam, startFakeSeam } from '../helpers/fake-seam.js'
import { type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js'
import { type SmtpStandIn, startSmtp } from '../helpers/smtp-server.js'
import { type DaemonProcess, spawnCli } from './helpers/daemon-process.js'
import { type E2eDirs, makeDirs, slackTrace, writeConfig } from './helpers/setup.js'

const ENV = { TEST_SLACK_TOKEN: 'xoxb-state-hardening-token' }

let fake: FakeSeam
let slack: SlackStandIn
let smtp: SmtpStandIn
let dirs: E2eDirs
let daemons: DaemonProcess[] = []
const stores: JsonFileStore[] = []

beforeAll(async () => {
  fake = await startFakeSeam()
})
afterAll(async () => {
  await fake.close()
})

async function setup(extra: Record<string, unknown> = {}): Promise<void> {
  slack = await startSlackStandIn({ channelIds: false })
  smtp = await startSmtp()
  dirs = await makeDirs()
  await writeConfig(
    dirs,
    {
      seamUrl: fake.url,
      apiKey: fake.apiKey,
      slackApiUrl: slack.apiUrl,
      smtpPort: smtp.port,
      startFrom: new Date(Date.now() - 1000).toISOString(),
    },
    extra,
  )
}

function start(config = dirs.config): DaemonProcess {
  const daemon = spawnCli(['run', '--config', config], ENV)
  daemons.push(daemon)
  return daemon
}

afterEach(async () => {
  for (const daemon of daemons) if (daemon.child.exitCode === null) daemon.kill('SIGKILL')
  await Promise.all(daemons.map((d) => d.exited))
  daemons = []
  await Promise.all(stores.splice(0).map((store) => store.close()))
  await slack.close()
  await smtp.close()
  await dirs.cleanup()
})

const tamperedAlerted = (eventId: string) =>
  slack.posted().some((call) => slackTrace(String(call.body.text ?? ''))?.eventId === eventId)

const logged = (daemon: DaemonProcess, pattern: RegExp) => () =>
  daemon.logs().some((line) => pattern.test(String(line.msg)))

describe('the daemon and its state file', () => {
  it('takes a lost lock back and keeps alerting; exits 75 when another process holds it past limits.lockLostMax', async () => {
    await setup({ limits: { lockLostMax: '3s' } })
    const daemon = start()
    const health = await daemon.healthUrl()
    await daemon.waitFor(() => existsSync(dirs.state), 20_000, 'the first state save')

    // The lock directory disappears (an over-eager cleanup job): the daemon notices, takes it back, carries on.
    await rm(lockDirFor(dirs.state), { recursive: true })
    await daemon.waitFor(logged(daemon, /took the state file lock back/), 20_000, 'the lock taken back')
    expect((await lockStatus(dirs.state)).owner?.pid).toBe(daemon.child.pid)
    const event = fake.addEvent({ event_type: 'device.tampered', device_id: fake.deviceIds[1] })
    await daemon.waitFor(() => tamperedAlerted(event.event_id), 20_000, 'an alert after taking the lock back')
    expect((await fetch(`${health}/healthz`)).status).toBe(200)
    expect(daemon.child.exitCode).toBeNull()

    // Now another process takes the lock over and keeps it: the daemon gives up within the bound and exits 75.
    await rm(lockDirFor(dirs.state), { recursive: true })
    const thief = await JsonFileStore.open(dirs.state, { staleMs: 2000 })
    stores.push(thief)
    const lostAt = Date.now()
    const { code } = await daemon.exited
    expect(code).toBe(75)
    // Detection takes up to half the lock's 10 s staleness, then 3 s of retries, then a bounded shutdown.
    expect(Date.now() - lostAt).toBeLessThan(25_000)
    expect(daemon.stderr()).toMatch(
      /lost the state file lock .* could not take it back within limits.lockLostMax \(3 seconds\); last error: State file .* is locked by another seam-alerts process \(pid \d+/,
    )
    // It left the other holder's lock alone.
    expect(await lockStatus(dirs.state)).toMatchObject({ locked: true, owner: { pid: process.pid } })
  }, 120_000)

  it('a symlinked state path: the target is written and locked, the link kept; a daemon on the target is refused', async () => {
    await setup({ state: './link.json' })
    const data = path.join(dirs.dir, 'data')
    await mkdir(data)
    const target = path.join(data, 'state.json')
    await symlink(target, path.join(dirs.dir, 'link.json'))
    const onTarget = path.join(dirs.dir, 'config-target.json')
    const config = JSON.parse(await readFile(dirs.config, 'utf8'))
    await writeFile(onTarget, JSON.stringify({ ...config, state: './data/state.json' }))

    const first = start()
    await first.healthUrl()
    await first.waitFor(
      () =>
        first
          .logs()
          .some(
            (l) => l.msg === 'the state path goes through a symbolic link: locking and writing the real file',
          ),
      10_000,
      'the symlink log line',
    )
    const second = start(onTarget)
    expect((await second.exited).code).toBe(1)
    expect(second.stderr()).toContain(
      `State file ${target} is locked by another seam-alerts process (pid ${first.child.pid}`,
    )

    const event = fake.addEvent({ event_type: 'device.tampered', device_id: fake.deviceIds[0] })
    await first.waitFor(() => tamperedAlerted(event.event_id), 20_000, 'the alert')
    first.kill('SIGTERM')
    expect((await first.exited).code).toBe(0)
    expect((await lstat(path.join(dirs.dir, 'link.json'))).isSymbolicLink()).toBe(true)
    const saved = JSON.parse(await readFile(target, 'utf8')) as { source: { seen: Record<string, number> } }
    expect(saved.source.seen[event.event_id]).toBeDefined()
  }, 90_000)

  it('refuses a state file over limits.stateFileMax before reading it, and exits 78', async () => {
    await setup()
    await writeFile(dirs.state, '')
    await truncate(dirs.state, 300 * 1024 ** 2) // sparse: costs no disk
    const daemon = start()
    expect((await daemon.exited).code).toBe(78)
    expect(daemon.stderr()).toContain(
      `State file ${dirs.state} is 300 MiB (${300 * 1024 ** 2} bytes), over limits.stateFileMax (256 MiB)`,
    )
  }, 60_000)
})
