/**
 * vitest globalSetup: one PostgreSQL server for the whole run (test/helpers/postgres-server.ts), shared by every test
 * file through `inject('postgres')`; each file makes its own database (test/helpers/postgres.ts). A server that
 * cannot start is reported once, loudly, and handed on as `{ ok: false, reason }`: the PostgreSQL tests then skip,
 * or fail when `CI` is set.
 *
 * vitest runs a globalSetup once for the root project and once for each project that extends it; the server is
 * kept on `globalThis` so all of them share one, and the last teardown stops it.
 */
import type { TestProject } from 'vitest/node'
import { type PostgresServer, startPostgres } from './postgres-server.js'

export type SharedPostgres =
  | {
      ok: true
      port: number
      admin: { user: string; password: string }
      app: { user: string; password: string }
    }
  | { ok: false; reason: string }

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: SharedPostgres
  }
}

interface Shared {
  users: number
  started: Promise<{ server?: PostgresServer; shared: SharedPostgres }>
}

const KEY = Symbol.for('seam-alerts.test.postgres')
const holder = globalThis as typeof globalThis & { [KEY]?: Shared }

async function start(): Promise<{ server?: PostgresServer; shared: SharedPostgres }> {
  try {
    const server = await startPostgres()
    return { server, shared: { ok: true, port: server.port, admin: server.admin, app: server.app } }
  } catch (error) {
    const reason = (error as Error).message
    const banner = '!'.repeat(100)
    process.stderr.write(
      `\n${banner}\n!! PostgreSQL could not be started for the tests: the PostgreSQL tests will ${process.env.CI ? 'FAIL (CI is set)' : 'be SKIPPED'}.\n!! ${reason.replaceAll('\n', '\n!! ')}\n${banner}\n\n`,
    )
    return { shared: { ok: false, reason } }
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  holder[KEY] ??= { users: 0, started: start() }
  const shared = holder[KEY]
  shared.users += 1
  project.provide('postgres', (await shared.started).shared)
  return async () => {
    shared.users -= 1
    if (shared.users > 0) return
    delete holder[KEY]
    await (await shared.started).server?.close()
  }
}
