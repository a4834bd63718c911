/**
 * A real PostgreSQL server on 127.0.0.1, in a temporary directory, for the tests and the bench (no vitest here, so
 * `npm run bench` can import it). `initdb` + `pg_ctl`, run as the `postgres` user when this process is root
 * (PostgreSQL refuses to run as root). Host connections need a password (scram-sha-256): the superuser's, or the
 * application role's (`seam_app`, a non-superuser that owns the databases `createDatabase` makes), so a test can
 * use a URL with a password in it and check the password is never echoed.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'

export interface PgCredentials {
  user: string
  password: string
}

export interface PostgresServer {
  readonly host: string
  readonly port: number
  readonly dataDir: string
  /** The superuser (`postgres`), for setup only. */
  readonly admin: PgCredentials
  /** The application role (`seam_app`): LOGIN, CREATEDB, no superuser; owns the databases `createDatabase` makes. */
  readonly app: PgCredentials
  /** `postgres://user:password@127.0.0.1:port/database`, as the application role unless told otherwise. */
  url(database?: string, credentials?: PgCredentials): string
  /** Create a database owned by the application role; returns its name. */
  createDatabase(name?: string): Promise<string>
  /** Drop a database, closing its connections first. */
  dropDatabase(name: string): Promise<void>
  /** A clean shutdown (`pg_ctl stop -m fast`); the data stays for `start`. */
  stop(): Promise<void>
  /** Start again after `stop` or `kill`, on the same port, with the same data. */
  start(): Promise<void>
  /** `stop` then `start`. */
  restart(): Promise<void>
  /** A crash: `pg_ctl stop -m immediate` (no checkpoint; the next start runs crash recovery). */
  kill(): Promise<void>
  /** Stop the server (immediately) and delete its directory. Safe to call twice. */
  close(): Promise<void>
}

export interface StartPostgresOptions {
  /** Extra server settings (`-c key=value`), over the harness's own. */
  settings?: Record<string, string>
}

const PREFIX = 'seam-alerts-pg-'
const APP_ROLE = 'seam_app'

/**
 * The directory holding `initdb`, `pg_ctl` and `postgres`: `$SEAM_ALERTS_TEST_PG_BINDIR` when set, else
 * `pg_config --bindir`, else /usr/lib/postgresql/<newest>/bin, else PATH.
 */
export function findPostgresBinaries(): string | undefined {
  const hasAll = (dir: string) =>
    ['initdb', 'pg_ctl', 'postgres'].every((bin) => existsSync(path.join(dir, bin)))
  const chosen = process.env.SEAM_ALERTS_TEST_PG_BINDIR // an install elsewhere (e.g. Homebrew), or none at all
  if (chosen !== undefined) return hasAll(chosen) ? chosen : undefined
  try {
    const dir = execFileSync('pg_config', ['--bindir'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim()
    if (dir && hasAll(dir)) return dir
  } catch {
    // no pg_config (or libpq's only): try the Debian layout next
  }
  const debian = '/usr/lib/postgresql'
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((name) => /^\d+$/.test(name))
      .sort((a, b) => Number(b) - Number(a))
    for (const version of versions) {
      const dir = path.join(debian, version, 'bin')
      if (hasAll(dir)) return dir
    }
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) if (dir && hasAll(dir)) return dir
  return undefined
}

interface RunAs {
  uid: number
  gid: number
}

/** Root runs the server as `postgres` (created as a system user when missing); anyone else runs it as themselves. */
function serverUser(): RunAs | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined
  const lookup = () => spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' })
  let id = lookup()
  if (id.status !== 0) {
    execFileSync('useradd', [
      '--system',
      '--user-group',
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      'postgres',
    ])
    id = lookup()
  }
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' })
  return { uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()) }
}

function run(bin: string, args: string[], runAs: RunAs | undefined, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C', LC_ALL: 'C' },
      cwd: '/',
      ...(runAs ?? {}),
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8')
    })
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8')
    })
    child.on('error', (error) => reject(new Error(`${what}: ${error.message}`)))
    child.on('exit', (code, signal) => {
      if (code === 0) resolve()
      else reject(new Error(`${what} failed (${signal ?? `exit ${code}`}): ${output.trim().slice(-2000)}`))
    })
  })
}

/** A port nobody listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      )
    })
  })
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Stop and delete servers a previous, crashed run left behind (its owner process is gone). */
function sweepOrphans(binDir: string, runAs: RunAs | undefined): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(PREFIX)) continue
    const dir = path.join(tmpdir(), name)
    try {
      const owner = Number(readFileSync(path.join(dir, 'owner.pid'), 'utf8'))
      if (Number.isInteger(owner) && alive(owner)) continue
      stopSync(binDir, path.join(dir, 'data'), runAs)
      rmSync(dir, { recursive: true, force: true })
    } catch {
      // not ours, or half made: leave it
    }
  }
}

function stopSync(binDir: string, dataDir: string, runAs: RunAs | undefined): void {
  if (!existsSync(path.join(dataDir, 'postmaster.pid'))) return
  spawnSync(path.join(binDir, 'pg_ctl'), ['stop', '-D', dataDir, '-m', 'immediate', '-w', '-t', '20'], {
    stdio: 'ignore',
    cwd: '/',
    ...(runAs ?? {}),
  })
}

function postmasterPid(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0])
    return Number.isInteger(pid) && pid > 0 ? pid : undefined
  } catch {
    return undefined
  }
}

async function gone(pid: number, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (alive(pid)) {
    if (Date.now() > until)
      throw new Error(`the PostgreSQL server (pid ${pid}) is still running ${timeoutMs} ms after pg_ctl stop`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

const open = new Set<() => void>()
let exitHookInstalled = false
function onExitStop(stop: () => void): () => void {
  if (!exitHookInstalled) {
    exitHookInstalled = true
    process.once('exit', () => {
      for (const fn of open) fn()
    })
  }
  open.add(stop)
  return () => open.delete(stop)
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`
const secret = () => randomBytes(12).toString('base64url')

/**
 * Start a fresh server: a new temporary directory, `initdb`, `pg_ctl start` on a free loopback port with the socket
 * in that directory, fsync off. Throws (with the reason, e.g. "no initdb found") when it cannot.
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresServer> {
  const binDir = findPostgresBinaries()
  if (!binDir) {
    throw new Error(
      process.env.SEAM_ALERTS_TEST_PG_BINDIR !== undefined
        ? `no PostgreSQL server binaries (initdb, pg_ctl, postgres) in SEAM_ALERTS_TEST_PG_BINDIR=${process.env.SEAM_ALERTS_TEST_PG_BINDIR}`
        : 'no PostgreSQL server binaries (initdb, pg_ctl, postgres) in `pg_config --bindir`, /usr/lib/postgresql/*/bin or PATH; install the `postgresql` package (.ci/run does)',
    )
  }
  const runAs = serverUser()
  sweepOrphans(binDir, runAs)
  const dir = mkdtempSync(path.join(tmpdir(), PREFIX))
  writeFileSync(path.join(dir, 'owner.pid'), String(process.pid))
  const dataDir = path.join(dir, 'data')
  const socketDir = path.join(dir, 'socket')
  const logFile = path.join(dir, 'server.log')
  mkdirSync(socketDir)
  writeFileSync(logFile, '')
  const admin: PgCredentials = { user: 'postgres', password: `admin-${secret()}` }
  const app: PgCredentials = { user: APP_ROLE, password: `app-${secret()}` }
  const pwFile = path.join(dir, 'pwfile')
  writeFileSync(pwFile, `${admin.password}\n`, { mode: 0o600 })
  if (runAs) for (const file of [dir, socketDir, logFile, pwFile]) chownSync(file, runAs.uid, runAs.gid)
  chmodSync(dir, 0o755)

  let port = 0
  const bin = (name: string) => path.join(binDir, name)
  const tailOfLog = () => {
    try {
      return readFileSync(logFile, 'utf8').trim().split('\n').slice(-15).join('\n')
    } catch {
      return ''
    }
  }
  const settings = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: socketDir,
    // fsync off: the data only has to survive the server's crash (kill()), not the machine's. synchronous_commit
    // stays on, or a crash would lose commits a client was told had succeeded.
    fsync: 'off',
    full_page_writes: 'off',
    shared_buffers: '32MB',
    dynamic_shared_memory_type: 'mmap',
    max_connections: '200',
    ...options.settings,
  }
  const pgCtlStart = async () => {
    const serverOptions = Object.entries({ ...settings, port: String(port) })
      .map(([key, value]) => `-c ${key}=${value}`)
      .join(' ')
    try {
      await run(
        bin('pg_ctl'),
        ['start', '-D', dataDir, '-l', logFile, '-w', '-t', '60', '-o', serverOptions],
        runAs,
        'pg_ctl start',
      )
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- server log ---\n${tailOfLog()}`)
    }
  }
  // pg_ctl -w returns once postmaster.pid is gone, which the postmaster removes just before it exits: wait for
  // the process itself too, so the port is free for the next start and `close` leaves nothing running.
  const pgCtlStop = async (mode: 'fast' | 'immediate') => {
    const pid = postmasterPid(dataDir)
    await run(
      bin('pg_ctl'),
      ['stop', '-D', dataDir, '-m', mode, '-w', '-t', '60'],
      runAs,
      `pg_ctl stop -m ${mode}`,
    )
    if (pid !== undefined) await gone(pid)
  }

  let running = false
  const forget = onExitStop(() => {
    stopSync(binDir, dataDir, runAs)
    rmSync(dir, { recursive: true, force: true })
  })
  const url = (database = 'postgres', credentials: PgCredentials = app) =>
    `postgres://${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`
  const asAdmin = async <T>(fn: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: url('postgres', admin) })
    await client.connect()
    try {
      return await fn(client)
    } finally {
      await client.end()
    }
  }

  try {
    await run(
      bin('initdb'),
      [
        '-D',
        dataDir,
        '-U',
        admin.user,
        `--pwfile=${pwFile}`,
        '--auth-local=trust',
        '--auth-host=scram-sha-256',
        '--no-sync',
        '--no-instructions',
        '--locale=C',
        '--encoding=UTF8',
      ],
      runAs,
      'initdb',
    )
    rmSync(pwFile)
    // Another process may take the port between freePort() and the server binding it: try a few.
    for (let attempt = 1; ; attempt++) {
      port = await freePort()
      try {
        await pgCtlStart()
        break
      } catch (error) {
        if (attempt >= 3 || !/could not (bind|create listen)|Address already in use/i.test(String(error)))
          throw error
      }
    }
    running = true
    await asAdmin((client) =>
      client.query(`CREATE ROLE ${quoteIdent(app.user)} LOGIN CREATEDB PASSWORD '${app.password}'`),
    )
  } catch (error) {
    stopSync(binDir, dataDir, runAs)
    rmSync(dir, { recursive: true, force: true })
    forget()
    throw error
  }

  let closed = false
  const server: PostgresServer = {
    host: '127.0.0.1',
    get port() {
      return port
    },
    dataDir,
    admin,
    app,
    url,
    async createDatabase(name = `t_${randomBytes(6).toString('hex')}`) {
      await asAdmin((client) =>
        client.query(`CREATE DATABASE ${quoteIdent(name)} OWNER ${quoteIdent(app.user)}`),
      )
      return name
    },
    async dropDatabase(name) {
      await asAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`))
    },
    async stop() {
      if (!running) return
      await pgCtlStop('fast')
      running = false
    },
    async start() {
      if (running) return
      await pgCtlStart()
      running = true
    },
    async restart() {
      await server.stop()
      await server.start()
    },
    async kill() {
      if (!running) return
      await pgCtlStop('immediate')
      running = false
    },
    async close() {
      if (closed) return
      closed = true
      if (running) await pgCtlStop('immediate').catch(() => stopSync(binDir, dataDir, runAs))
      running = false
      rmSync(dir, { recursive: true, force: true })
      forget()
    },
  }
  return server
}
