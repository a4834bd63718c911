import path from 'node:path'
import { SeamAlertsError } from '../errors.js'
import type { Logger } from '../log.js'
import { silentLogger } from '../log.js'
import { scrubDeep } from '../secrets/scrub.js'
import { screenState } from '../secrets/state-screen.js'
import { isTempFor, utf8Line, writeFileAtomic } from './atomic-write.js'
import { errnoCode, type FsLike, nodeFsLike } from './fs-like.js'
import { acquireStateLock, canonicalStatePath, type StateLock } from './lock.js'
import { readStateFile } from './state-file.js'
import type { State } from './state-schema.js'
import type { Store } from './store.js'

export interface JsonFileStoreOptions {
  logger?: Logger
  /** File-system calls, injectable so tests can fail a write, fsync or rename (ENOSPC, EACCES). */
  fs?: FsLike
  /** Take the exclusive lock (default true). Only read-only tools pass false. */
  lock?: boolean
  /** Lock staleness threshold in ms (proper-lockfile; min 2000). Default 10 s. */
  staleMs?: number
  /** What to tell a second process that finds the file locked. */
  lockedHint?: string
  /** Indent files smaller than this many bytes for humans (default 64 KiB); larger ones are compact. */
  prettyBelow?: number
  /** Clock for naming a damaged file moved aside. */
  now?: () => number
}

/** What is on disk right now, as far as this store knows. Decides whether the old file may become `.bak`. */
type OnDisk = 'unknown' | 'good' | 'missing' | 'damaged'

const describeWriteError = (error: unknown): string => {
  const code = errnoCode(error)
  if (code === 'ENOSPC' || code === 'EDQUOT') return `${code}: the disk is full`
  if (code === 'EACCES' || code === 'EPERM') return `${code}: permission denied`
  if (code === 'EROFS') return `${code}: the file system is read-only`
  return code ?? (error as Error).message
}

/**
 * The state as one JSON file, written atomically and durably, with the previous good generation kept as
 * `<file>.bak`, mode 0600, and an exclusive lock for the life of the store.
 */
export class JsonFileStore implements Store {
  readonly file: string
  readonly backupFile: string
  lastSaveBytes: number | undefined
  /** Where a damaged file found at save time was moved (`<file>.damaged-<time>`), if that happened. */
  movedAside: string | undefined
  private readonly fs: FsLike
  private readonly logger: Logger
  private readonly prettyBelow: number
  private readonly now: () => number
  private onDisk: OnDisk = 'unknown'
  private chain: Promise<unknown> = Promise.resolve()
  /** Removal of the retired `.bak` generation, left to run after the last save resolved. */
  private cleanup: Promise<void> = Promise.resolve()
  private closed = false
  private readonly reportedSecretPaths = new Set<string>()

  private constructor(
    file: string,
    private readonly lock: StateLock | undefined,
    opts: JsonFileStoreOptions,
  ) {
    this.file = file
    this.backupFile = `${file}.bak`
    this.fs = opts.fs ?? nodeFsLike
    this.logger = opts.logger ?? silentLogger
    this.prettyBelow = opts.prettyBelow ?? 64 * 1024
    this.now = opts.now ?? Date.now
  }

  /** Open (and by default lock) a state file. Throws STATE_LOCKED naming the holder's pid. */
  static async open(file: string, opts: JsonFileStoreOptions = {}): Promise<JsonFileStore> {
    const canonical = await canonicalStatePath(file)
    const lock =
      opts.lock === false
        ? undefined
        : await acquireStateLock(canonical, {
            ...(opts.staleMs !== undefined ? { staleMs: opts.staleMs } : {}),
            ...(opts.logger ? { logger: opts.logger } : {}),
            ...(opts.lockedHint ? { doing: opts.lockedHint } : {}),
          })
    const store = new JsonFileStore(canonical, lock, opts)
    if (lock) await store.removeStrayTempFiles()
    return store
  }

  /** Temp files left by a process killed mid-write. Safe to remove: we hold the lock. */
  private async removeStrayTempFiles(): Promise<void> {
    const dir = path.dirname(this.file)
    const names = await this.fs.readdir(dir).catch(() => [] as string[])
    for (const name of names.filter((n) => isTempFor(this.file, n))) {
      await this.fs.unlink(path.join(dir, name)).catch(() => {})
    }
  }

  async load(): Promise<State | null> {
    try {
      const state = await readStateFile(this.file, this.fs)
      this.onDisk = state ? 'good' : 'missing'
      return state
    } catch (error) {
      this.onDisk = 'damaged'
      throw error
    }
  }

  /** Wait for the queued saves and the clean-up they left running (tests: every temp file is gone after). */
  async settled(): Promise<void> {
    await this.chain
    await this.cleanup
  }

  save(state: State, json?: Buffer): Promise<void> {
    const run = this.chain.then(() => this.write(state, json))
    this.chain = run.catch(() => {})
    return run
  }

  private fail(message: string, cause?: unknown): never {
    this.logger.error({ file: this.file }, message)
    throw new SeamAlertsError('STATE_WRITE_FAILED', message, { cause })
  }

  private async write(state: State, json: Buffer | undefined): Promise<void> {
    if (this.closed) this.fail(`State file ${this.file}: the store is closed`)
    if (this.lock?.lost) {
      throw new SeamAlertsError(
        'STATE_LOCKED',
        `State file ${this.file}: the lock was lost (${this.lock.lost.message}); not writing. Restart seam-alerts.`,
      )
    }
    // Screened structurally (where configuration can enter the state), not by scanning the whole text.
    const screen = screenState(state)
    if (screen.keys.length > 0) {
      this.fail(
        `Refusing to write state file ${this.file}: it would contain secret-like keys at ${screen.keys.join(', ')} (a bug: secrets must never be persisted)`,
      )
    }
    // A secret value in an error text that slipped past scrubbing where it was recorded: written scrubbed.
    const stored = screen.values.length > 0 ? this.scrubbed(state, screen.values) : state
    // Without the holder's `json` (the CLI's one-off writes), plain JSON.stringify: stateJson pays off only
    // when the same records are saved again and again.
    const compact = (stored === state ? json : undefined) ?? utf8Line(JSON.stringify(stored))
    const data = compact.length < this.prettyBelow ? utf8Line(JSON.stringify(stored, null, 2)) : compact
    await this.cleanup
    const backup = await this.prepareBackup()
    try {
      const cleanup = await writeFileAtomic(this.fs, this.file, data, { backup })
      this.cleanup = cleanup()
    } catch (error) {
      this.fail(
        `Could not write state file ${this.file} (${describeWriteError(error)}). The previous state is intact; keeping it and retrying on the next write.`,
        error,
      )
    }
    this.onDisk = 'good'
    this.lastSaveBytes = data.length
  }

  /** A copy of `state` with every configured secret value replaced (logged once per set of paths, never the value). */
  private scrubbed(state: State, paths: string[]): State {
    const key = paths.join(', ')
    if (!this.reportedSecretPaths.has(key)) {
      this.reportedSecretPaths.add(key)
      this.logger.error(
        { file: this.file, paths },
        'a configured secret value was about to be written to the state file: written as [redacted] instead (a bug: please report it)',
      )
    }
    return scrubDeep(state) as State
  }

  /**
   * May the file on disk become `.bak`? Only a good generation may: a damaged file is moved aside to
   * `<file>.damaged-<time>` instead, so `.bak` keeps the last good one.
   */
  private async prepareBackup(): Promise<boolean> {
    if (this.onDisk === 'unknown') {
      try {
        this.onDisk = (await readStateFile(this.file, this.fs)) ? 'good' : 'missing'
      } catch {
        this.onDisk = 'damaged'
      }
    }
    if (this.onDisk === 'damaged') {
      const aside = `${this.file}.damaged-${new Date(this.now()).toISOString().replace(/[:.]/g, '-')}`
      try {
        await this.fs.rename(this.file, aside)
        this.movedAside = aside
        this.logger.warn({ file: this.file, movedTo: aside }, 'moved the damaged state file aside')
      } catch (error) {
        if (errnoCode(error) !== 'ENOENT') this.fail(`Could not move the damaged ${this.file} aside`, error)
      }
      this.onDisk = 'missing'
    }
    return this.onDisk === 'good'
  }

  async close(): Promise<void> {
    if (this.closed) return
    await this.chain
    await this.cleanup
    this.closed = true
    await this.lock?.release()
  }
}
