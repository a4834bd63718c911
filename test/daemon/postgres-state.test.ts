import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { parseConfig } from '../../src/config.js'
import { startDaemon } from '../../src/daemon/daemon.js'
import { HealthTracker } from '../../src/daemon/health.js'
import { DaemonMetrics } from '../../src/daemon/metrics.js'
import { openPostgresState } from '../../src/daemon/postgres-state.js'
import { hasCode } from '../../src/errors.js'
import { openPostgres, type PgDatabase } from '../../src/state/postgres/database.js'
import { PostgresStore } from '../../src/state/postgres/postgres-store.js'
import { captureLogger } from '../helpers/fixtures.js'
import { describePg } from '../helpers/postgres.js'
import { type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js'
import { eventually } from '../helpers/stalled-server.js'
import { type StrictEmulator, startStrictEmulator } from '../helpers/strict-emulator.js'

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

describePg('the daemon on a PostgreSQL state (state: postgres:// URL)', (pgdb) => {
  let db: PgDatabase
  beforeAll(async () => {
    db = await openPostgres(pgdb.url())
  })
  afterAll(() => db?.close())
  afterEach(async () => {
    await db.query('UPDATE lease SET holder = NULL, epoch = 0, expires_at = NULL, api_url = NULL')
    await db.query('DELETE FROM state')
  })

  const open = (fence: { holder: string; epoch: () => number | undefined }, onRefused = (_: Error) => {}) =>
    openPostgresState({
      db,
      fence,
      ownsDatabase: false,
      logger: captureLogger().logger,
      metrics: new DaemonMetrics(),
      health: new HealthTracker({ now: Date.now }),
      onRefused,
    })

  it('the leader state: writes under its lease epoch go to the database', async () => {
    await db.query(`UPDATE lease SET holder = 'me:1', epoch = 4, expires_at = now() + interval '1 hour'`)
    const state = await open({ holder: 'me:1', epoch: () => 4 })
    await state.update((draft) => {
      draft.source.cursor = '2026-03-01T12:00:00.000Z'
    })
    await state.close()
    const saved = await new PostgresStore(db).load()
    expect(saved?.source.cursor).toBe('2026-03-01T12:00:00.000Z')
  })

  it('a write refused by the fence goes to onRefused (the lease steps down) and is not adopted', async () => {
    await db.query(
      `UPDATE lease SET holder = 'replica-b:77', epoch = 5, expires_at = now() + interval '1 hour'`,
    )
    const refused: Error[] = []
    const state = await open({ holder: 'me:1', epoch: () => 4 }, (error) => refused.push(error))
    const error = await state
      .update((draft) => {
        draft.source.cursor = '2026-03-01T12:00:00.000Z'
      })
      .then(
        () => undefined,
        (caught: unknown) => caught as Error,
      )
    expect(hasCode(error, 'STATE_FENCED')).toBe(true)
    expect(refused).toHaveLength(1)
    expect(refused[0]?.message).toContain('replica-b')
    expect(state.current().source.cursor).not.toBe('2026-03-01T12:00:00.000Z')
    await state.close()
    expect(await new PostgresStore(db).load()).toBeNull()
  })

  it('runs a cycle end to end: the alert is sent and recorded in PostgreSQL, and no password is logged', async () => {
    const emulator: StrictEmulator = await startStrictEmulator()
    cleanups.push(emulator.close)
    const slack: SlackStandIn = await startSlackStandIn()
    cleanups.push(slack.close)
    const dir = await mkdtemp(path.join(tmpdir(), 'seam-alerts-pg-daemon-'))
    cleanups.push(() => rm(dir, { recursive: true, force: true }))
    await mkdir(path.join(dir, 'rules'))
    const rule = {
      id: 'unlocked',
      eventTypes: ['lock.unlocked'],
      actions: [{ type: 'slack', channel: '#doors' }],
    }
    await writeFile(path.join(dir, 'rules', 'unlocked.json'), JSON.stringify(rule))
    const event = emulator.addEvent({
      event_type: 'lock.unlocked',
      created_at: new Date(Date.now() - 1000).toISOString(),
    })
    const config = parseConfig(
      {
        seam: {
          endpoint: emulator.url,
          apiKey: emulator.apiKey,
          pollInterval: '200ms',
          startFrom: new Date(Date.now() - 60_000).toISOString(),
        },
        slack: { token: 'xoxb-pg-daemon-test', apiUrl: slack.apiUrl },
        rules: './rules',
        state: '${TEST_PG_URL}',
        server: false,
      },
      path.join(dir, 'config.json'),
      { TEST_PG_URL: pgdb.url() },
    )
    expect(config.state).toBe(pgdb.url())
    const log = captureLogger()
    const daemon = await startDaemon({ config, logger: log.logger, stopTimeoutMs: 5000 })
    cleanups.push(() => daemon.stop())
    expect(await eventually(() => slack.posted().length === 1, 10_000)).toBe(true)
    expect(String(slack.posted()[0]?.body.text)).toContain(event.event_id)
    await daemon.stop()
    const saved = await new PostgresStore(db).load()
    expect(saved?.outbox).toEqual([])
    expect(saved?.sent).toHaveLength(1)
    const start = log.lines.find((line) => String(line.msg).startsWith('seam-alerts'))
    expect(String(start?.msg)).toContain(`state postgres://seam_app:[redacted]@127.0.0.1:${pgdb.port}/`)
    expect(log.text()).not.toContain(pgdb.app.password)
  })
})
