import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { parseConfig } from '../../src/config.js'
import { type DaemonHandle, startDaemon } from '../../src/daemon/daemon.js'
import type { HistoryEntry } from '../../src/noise/history.js'
import { openPostgres, type PgDatabase } from '../../src/state/postgres/database.js'
import { PostgresStore } from '../../src/state/postgres/postgres-store.js'
import { readStateFile } from '../../src/state/state-file.js'
import { emptyState } from '../../src/state/state-schema.js'
import { spawnCli } from '../daemon/helpers/daemon-process.js'
import { captureLogger } from '../helpers/fixtures.js'
import { describePg } from '../helpers/postgres.js'

// The state, silence and history commands a user runs, against a PostgreSQL state (`"state": "${TEST_PG_URL}"`).

const TOKEN = 'pg-cli-api-token-5d1e'
const SLOW = { timeout: 240_000 }

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'seam-alerts-pg-cli-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

describePg('the CLI on a PostgreSQL state (child processes)', (pgdb) => {
  let db: PgDatabase
  let config: string
  let env: NodeJS.ProcessEnv
  beforeAll(async () => {
    db = await openPostgres(pgdb.url())
    config = path.join(dir, 'config.json')
    await mkdir(path.join(dir, 'rules'), { recursive: true })
    await writeFile(
      config,
      JSON.stringify({
        seam: { apiKey: 'seam_test_key' },
        state: '${TEST_PG_URL}',
        server: { host: '127.0.0.1', port: 0, apiToken: '${TEST_API_TOKEN}' },
      }),
    )
    env = { TEST_PG_URL: pgdb.url(), TEST_API_TOKEN: TOKEN }
  })
  afterAll(() => db?.close())

  async function cli(...args: string[]) {
    const proc = spawnCli([...args, '--config', config], env)
    const { code } = await proc.exited
    const out = { code, stdout: proc.stdout(), stderr: proc.stderr() }
    expect(`${out.stdout}${out.stderr}`).not.toContain(pgdb.app.password)
    return out
  }
  const setLease = (ttl: string | null, apiUrl: string | null) =>
    db.query(
      `UPDATE lease SET holder = $1, epoch = epoch + 1, expires_at = now() + $2::interval, api_url = $3 WHERE id = 1`,
      [ttl ? 'replica-a:4242' : null, ttl ?? '-1 second', apiUrl],
    )
  const saved = () => new PostgresStore(db).load()

  it('show, silences and history with no daemon: written to and read from the database', SLOW, async () => {
    const empty = await cli('state', 'show')
    expect(empty.code, empty.stderr).toBe(0)
    expect(empty.stdout).toContain(
      `No state in postgres://seam_app:[redacted]@127.0.0.1:${pgdb.port}/${pgdb.name}`,
    )

    const added = await cli(
      'silence',
      'add',
      '--matcher',
      'rule=door-open',
      '--duration',
      '2h',
      '--comment',
      'door fixed',
      '--author',
      'bob',
    )
    expect(added.code, added.stderr).toBe(0)
    expect(added.stdout).toContain('The daemon is not running: saved in postgres://seam_app:[redacted]@')
    const id = added.stdout.trim().split(/\s+/).at(-1)!
    expect((await saved())?.silences.map((s) => s.id)).toEqual([id])

    const listed = await cli('silence', 'list', '--json')
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ id, comment: 'door fixed', status: 'active' }),
    ])
    const expired = await cli('silence', 'expire', id)
    expect(expired.code, expired.stderr).toBe(0)
    expect(JSON.parse((await cli('silence', 'list', '--json')).stdout)).toEqual([])
    expect(Date.parse(String((await saved())?.silences[0]?.endsAt))).toBeLessThanOrEqual(Date.now())

    // History: seeded through the store, read by the command.
    const store = new PostgresStore(db)
    const state = (await store.load()) ?? emptyState()
    const entry: HistoryEntry = {
      at: Date.now() - 60_000,
      rule: 'door-open',
      kind: 'fire',
      event_id: 'evt_1',
      labels: { rule: 'door-open', kind: 'fire', device_id: 'dev_1' },
      outcome: 'sent',
      target: 'slack:#doors',
    }
    state.history.push(entry)
    await store.save(state)
    const history = await cli('history', '--json', '--rule', 'door-open')
    expect(history.code, history.stderr).toBe(0)
    expect(JSON.parse(history.stdout)).toEqual([entry])

    const shown = await cli('state', 'show', '--json')
    expect(JSON.parse(shown.stdout)).toMatchObject({
      exists: true,
      schema: 'seam_alerts',
      daemon: { running: false },
    })

    // Export to a file the file store loads, equal to what the database holds.
    const file = path.join(dir, 'exported.json')
    const exported = await cli('state', 'export', '--to', file)
    expect(exported.code, exported.stderr).toBe(0)
    expect(await readStateFile(file)).toEqual(await saved())

    // restore: the previous generation (before the history entry) becomes current; again swaps them back.
    const current = (await saved())!
    const restore = await cli('state', 'restore')
    expect(restore.code, restore.stderr).toBe(0)
    expect(restore.stdout).toMatch(/Restored the state .* to its previous generation \(written .*; cursor /)
    const previous = (await saved())!
    expect(previous.history.some((h) => h.event_id === 'evt_1')).toBe(false)
    expect(previous.silences).toEqual(current.silences)
    const back = await cli('state', 'restore')
    expect(back.code, back.stderr).toBe(0)
    expect(await saved()).toEqual(current)
  })

  it(
    'with a live leader: writes go through its local API (from the lease row), or fail clearly; direct writes are refused',
    SLOW,
    async () => {
      // The leader's API: a daemon in this process (its own state file), found only through the lease row's api_url.
      const leaderDir = path.join(dir, 'leader')
      await mkdir(path.join(leaderDir, 'rules'), { recursive: true })
      const leaderConfig = parseConfig(
        {
          seam: { endpoint: 'http://127.0.0.1:9', apiKey: 'seam_k', pollInterval: '1h' },
          rules: './rules',
          state: './state.json',
          server: { host: '127.0.0.1', port: 0, apiToken: TOKEN },
        },
        path.join(leaderDir, 'config.json'),
        {},
      )
      const leader: DaemonHandle = await startDaemon({ config: leaderConfig, logger: captureLogger().logger })
      try {
        await setLease('1 hour', leader.healthUrl!)
        const before = await saved()
        const added = await cli(
          'silence',
          'add',
          '--matcher',
          'rule=x',
          '--duration',
          '1h',
          '--comment',
          'via api',
        )
        expect(added.code, added.stderr).toBe(0)
        expect(added.stdout).not.toContain('not running')
        const listed = await fetch(`${leader.healthUrl}/api/v1/silences`).then((res) => res.json())
        expect(listed).toEqual([expect.objectContaining({ comment: 'via api' })])
        expect(await saved()).toEqual(before) // the leader's state changed, not the database behind its back

        const shown = await cli('state', 'show')
        expect(shown.stdout).toMatch(/Leader\s+running: replica-a:4242 \(API http:\/\/127\.0\.0\.1:\d+\)/)

        const reset = await cli('state', 'reset', '--from', 'now')
        expect(reset.code).toBe(1)
        expect(reset.stderr).toContain('a running seam-alerts leads (replica-a:4242 (API http://127.0.0.1:')
        const good = path.join(dir, 'good.json')
        await writeFile(good, JSON.stringify(emptyState()))
        const imported = await cli('state', 'import', '--from', good)
        expect(imported.code).toBe(1)
        expect(imported.stderr).toMatch(/in use: a running seam-alerts leads/)
        expect(await saved()).toEqual(before)
      } finally {
        await leader.stop()
      }

      await setLease('1 hour', 'http://127.0.0.1:9')
      const down = await cli(
        'silence',
        'add',
        '--matcher',
        'rule=x',
        '--duration',
        '1h',
        '--comment',
        'nobody home',
      )
      expect(down.code).toBe(1)
      expect(down.stderr).toMatch(
        /the daemon is running \(replica-a:4242 .*its local API at http:\/\/127\.0\.0\.1:9 cannot be reached/,
      )

      // Once the lease has expired, the commands write directly again.
      await setLease(null, null)
      const direct = await cli('state', 'reset', '--from', '2026-03-01T00:00:00Z')
      expect(direct.code, direct.stderr).toBe(0)
      expect((await saved())?.source.cursor).toBe('2026-03-01T00:00:00.000Z')
    },
  )

  it('import validates the file first and refuses a damaged one, writing nothing', SLOW, async () => {
    const bad = path.join(dir, 'bad.json')
    await writeFile(bad, JSON.stringify({ version: 1, source: 'nope' }))
    const before = await saved()
    const refused = await cli('state', 'import', '--from', bad)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/bad\.json is damaged: .*\$\.source/)
    expect(await saved()).toEqual(before)
  })
})
