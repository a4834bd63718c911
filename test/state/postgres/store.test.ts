import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { buildState } from '../../../bench/state-fixture.js'
import { hasCode } from '../../../src/errors.js'
import { JsonFileStore } from '../../../src/state/json-file-store.js'
import { openPostgres, type PgDatabase } from '../../../src/state/postgres/database.js'
import { PostgresStore } from '../../../src/state/postgres/postgres-store.js'
import { emptyState, type State } from '../../../src/state/state-schema.js'
import { describePg } from '../../helpers/postgres.js'

const caught = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error as Error,
  )

/** A realistic state: the bench's busiest shape (windows, timers, throttles, incidents, threads, seen ids). */
function realistic(): State {
  const state = buildState(200, 'busiest')
  return JSON.parse(JSON.stringify(state)) as State
}

describePg('PostgresStore', (pgdb) => {
  let db: PgDatabase
  beforeAll(async () => {
    db = await openPostgres(pgdb.url())
  })
  afterAll(async () => {
    await db?.close()
  })
  const setLease = (holder: string | null, epoch: number, ttl: string | null, apiUrl: string | null = null) =>
    db.query(
      `UPDATE lease SET holder = $1, epoch = $2, expires_at = CASE WHEN $3::interval IS NULL THEN NULL ELSE now() + $3::interval END, api_url = $4 WHERE id = 1`,
      [holder, epoch, ttl, apiUrl],
    )
  afterEach(async () => {
    await setLease(null, 0, null)
    await db.query('DELETE FROM state')
  })
  const stateRow = async () =>
    (await db.query<{ version: string; epoch: string }>('SELECT version, epoch FROM state WHERE id = 1'))
      .rows[0]

  it('saves and loads a realistic state, equal to what the file store round-trips', async () => {
    const state = realistic()
    const store = new PostgresStore(db)
    expect(await store.load()).toBeNull()
    await store.save(state)
    const fromPg = await new PostgresStore(db).load()

    const dir = await mkdtemp(path.join(tmpdir(), 'seam-alerts-pg-'))
    try {
      const file = await JsonFileStore.open(path.join(dir, 'state.json'))
      await file.save(state)
      const fromFile = await file.load()
      await file.close()
      expect(fromPg).toEqual(fromFile)
      expect(fromPg).toEqual(state)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
    expect(store.lastSaveBytes).toBeGreaterThan(10_000)
    expect(await stateRow()).toEqual({ version: '1', epoch: '0' })
  })

  it('refuses a damaged document with STATE_CORRUPT and says how to recover', async () => {
    await db.query(
      `INSERT INTO state (id, doc, version, epoch, updated_at) VALUES (1, '{"version": 1, "source": 5}', 1, 0, now())`,
    )
    const error = await caught(new PostgresStore(db).load())
    expect(hasCode(error, 'STATE_CORRUPT')).toBe(true)
    expect(error?.message).toMatch(/\$\.source/)
    expect(error?.message).toMatch(/state import --from/)
  })

  it('fenced: writes while the holder holds the epoch, and refuses a stale epoch or another holder', async () => {
    await setLease('replica-a', 7, '1 hour')
    let epoch: number | undefined = 7
    const store = new PostgresStore(db, { fence: { holder: 'replica-a', epoch: () => epoch } })
    expect(await store.load()).toBeNull()
    await store.save(emptyState())
    expect(await stateRow()).toEqual({ version: '1', epoch: '7' })

    await setLease('replica-b', 8, '1 hour')
    const before = emptyState()
    before.updatedAt = 1
    const stale = await caught(store.save(before))
    expect(hasCode(stale, 'STATE_FENCED')).toBe(true)
    expect(stale?.message).toMatch(/replica-b, epoch 8/)
    expect(await stateRow()).toEqual({ version: '1', epoch: '7' })

    epoch = undefined // it knows it lost the lease
    expect(hasCode(await caught(store.save(before)), 'STATE_FENCED')).toBe(true)
    await setLease('replica-a', 8, '1 hour') // same holder name, wrong epoch
    epoch = 7
    expect(hasCode(await caught(store.save(before)), 'STATE_FENCED')).toBe(true)
    expect((await new PostgresStore(db).load())?.updatedAt).toBe(0)
  })

  it('fenced: a write that reaches the lease row after a takeover locked it never lands', async () => {
    await setLease('old', 1, '1 hour')
    const old = new PostgresStore(db, { fence: { holder: 'old', epoch: () => 1 } })
    await old.load()
    await old.save(emptyState())

    // The takeover's UPDATE holds the lease row; the old leader's save waits behind it on FOR SHARE.
    const takeover = new pg.Client({ connectionString: pgdb.url() })
    await takeover.connect()
    try {
      await takeover.query('BEGIN')
      await takeover.query(`UPDATE seam_alerts.lease SET holder = 'new', epoch = epoch + 1 WHERE id = 1`)
      const late = emptyState()
      late.updatedAt = 99
      const saving = caught(old.save(late))
      await waitForLockWait()
      await takeover.query('COMMIT')
      expect(hasCode(await saving, 'STATE_FENCED')).toBe(true)
    } finally {
      await takeover.end()
    }
    const seen = await new PostgresStore(db, { fence: { holder: 'new', epoch: () => 2 } }).load()
    expect(seen?.updatedAt).toBe(0)
    expect(await stateRow()).toEqual({ version: '1', epoch: '1' })
  })

  it('fenced: a takeover waits for a write in flight, and the new leader loads that write', async () => {
    await setLease('old', 1, '1 hour')
    const old = new PostgresStore(db, { fence: { holder: 'old', epoch: () => 1 } })
    await old.load()
    await old.save(emptyState())

    // Hold the state row, so the old leader's save stops inside its transaction, holding the lease FOR SHARE.
    const blocker = new pg.Client({ connectionString: pgdb.url() })
    const takeover = new pg.Client({ connectionString: pgdb.url() })
    await blocker.connect()
    await takeover.connect()
    try {
      await blocker.query('BEGIN')
      await blocker.query('SELECT 1 FROM seam_alerts.state WHERE id = 1 FOR UPDATE')
      const inFlight = emptyState()
      inFlight.updatedAt = 42
      const saving = old.save(inFlight)
      await waitForLockWait()
      const taking = takeover.query(
        `UPDATE seam_alerts.lease SET holder = 'new', epoch = epoch + 1 WHERE id = 1 RETURNING epoch`,
      )
      await waitForLockWait(2)
      await blocker.query('COMMIT')
      await saving
      expect((await taking).rows).toEqual([{ epoch: '2' }])
    } finally {
      await blocker.end()
      await takeover.end()
    }
    const newLeader = new PostgresStore(db, { fence: { holder: 'new', epoch: () => 2 } })
    expect((await newLeader.load())?.updatedAt).toBe(42)
    expect(hasCode(await caught(old.save(emptyState())), 'STATE_FENCED')).toBe(true)
    await newLeader.save(emptyState())
    expect(await stateRow()).toEqual({ version: '3', epoch: '2' })
  })

  it('exclusive: refused while a live leader holds the lease, naming it; allowed once the lease expired', async () => {
    await setLease('replica-a:4242', 3, '1 hour', 'http://10.0.0.5:9464')
    const store = new PostgresStore(db)
    await store.load()
    const refused = await caught(store.save(emptyState()))
    expect(hasCode(refused, 'STATE_LOCKED')).toBe(true)
    expect(refused?.message).toContain('replica-a:4242')
    expect(refused?.message).toContain('http://10.0.0.5:9464')
    expect(await stateRow()).toBeUndefined()

    await setLease('replica-a:4242', 3, '-1 second', 'http://10.0.0.5:9464')
    await store.save(emptyState())
    expect(await stateRow()).toEqual({ version: '1', epoch: '3' })
  })

  it('exclusive: a write over a state another process wrote since the load is refused', async () => {
    const first = new PostgresStore(db)
    const second = new PostgresStore(db)
    await first.load()
    await second.load()
    await first.save(emptyState())
    const lost = await caught(second.save(emptyState()))
    expect(hasCode(lost, 'STATE_LOCKED')).toBe(true)
    expect(lost?.message).toMatch(/written by another process/)
    await second.load()
    await second.save(emptyState())
    expect(await stateRow()).toEqual({ version: '2', epoch: '0' })
  })

  it('keeps the replaced document as the previous generation; restorePrevious swaps them, validated, never over a leader', async () => {
    const store = new PostgresStore(db)
    await store.load()
    const none = await caught(store.restorePrevious())
    expect(hasCode(none, 'USAGE')).toBe(true)
    expect(none?.message).toMatch(/no previous generation/)
    const first = emptyState()
    first.source.cursor = '2026-01-01T00:00:00.000Z'
    await store.save(first)
    const second = emptyState()
    second.source.cursor = '2026-01-02T00:00:00.000Z'
    await store.save(second)
    const restored = await store.restorePrevious()
    expect(restored.state.source.cursor).toBe(first.source.cursor)
    expect((await new PostgresStore(db).load())?.source.cursor).toBe(first.source.cursor)
    await store.restorePrevious()
    expect((await new PostgresStore(db).load())?.source.cursor).toBe(second.source.cursor)

    await db.query(`UPDATE seam_alerts.state SET previous_doc = '{"version": 1, "source": 5}'::jsonb`)
    const damaged = await caught(store.restorePrevious())
    expect(hasCode(damaged, 'STATE_CORRUPT')).toBe(true)
    expect(damaged?.message).toContain('previous generation')
    expect((await new PostgresStore(db).load())?.source.cursor).toBe(second.source.cursor)

    await setLease('replica-a:4242', 3, '1 hour')
    expect(hasCode(await caught(store.restorePrevious()), 'STATE_LOCKED')).toBe(true)
  })

  /** Until `count` sessions of this database wait for a lock. */
  async function waitForLockWait(count = 1): Promise<void> {
    for (let i = 0; i < 200; i++) {
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      )
      if ((rows[0]?.n ?? 0) >= count) return
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
    throw new Error(`no ${count} session(s) waiting for a lock`)
  }
})
