/**
 * The PostgreSQL store for the state-write bench (bench/state-worker.ts), opened as the daemon's leader opens it:
 * the schema migrated, the lease held by this process, and every save fenced by its epoch (the daemon's path, not
 * the CLI's exclusive one). The database URL comes from the section (bench/sections/state-write.ts), which starts
 * PostgreSQL with the test harness (test/helpers/postgres-server.ts).
 */
import type { Logger } from '../src/log.js'
import type { Store } from '../src/state/store.js'
import { optionalImport } from './optional-import.js'

interface PgDatabaseLike {
  query(sql: string, params?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>
  table(name: 'lease' | 'state'): string
  close(): Promise<void>
}
interface DatabaseModule {
  openPostgres(url: string, opts: { logger?: Logger }): Promise<PgDatabaseLike>
}
interface StoreModule {
  PostgresStore: new (
    db: PgDatabaseLike,
    opts: {
      fence?: { holder: string; epoch(): number | undefined }
      ownsDatabase?: boolean
      logger?: Logger
    },
  ) => Store
}

const HOLDER = 'bench-state-worker'

/** A fenced PostgresStore on `url` (a fresh database), or why it cannot be made. */
export async function openBenchPostgresStore(url: string, logger: Logger): Promise<Store | string> {
  const database = await optionalImport<DatabaseModule>('src/state/postgres/database.js')
  const store = await optionalImport<StoreModule>('src/state/postgres/postgres-store.js')
  if ('missing' in database) return database.missing
  if ('missing' in store) return store.missing
  const db = await database.module.openPostgres(url, { logger })
  const { rows } = await db.query(
    `UPDATE ${db.table('lease')} SET holder = $1, epoch = epoch + 1, expires_at = now() + interval '1 hour'
      WHERE id = 1 RETURNING epoch::text AS epoch`,
    [HOLDER],
  )
  const epoch = Number(rows[0]?.epoch)
  return new store.module.PostgresStore(db, {
    fence: { holder: HOLDER, epoch: () => epoch },
    ownsDatabase: true,
    logger,
  })
}
