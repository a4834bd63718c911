import path from 'node:path'
import { SeamAlertsError } from '../errors.js'
import { DEFAULT_STATE_FILE_MAX } from '../limits.js'
import type { Logger } from '../log.js'
import { silentLogger } from '../log.js'
import { scrubDeep } from '../secrets/scrub.js'
import { screenState } from '../secrets/state-screen.js'
import { formatSize } from '../size.js'
import { isTempFor, utf8Line, writeFileAtomic } from './atomic-write.js'
import { errnoCode, type FsLike, type Generation, generationOf, nodeFsLike } from './fs-like.js'
import { acquireStateLock, canonicalStatePath, retakeStateLock, type StateLock } from './lock.js'
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
  /** Largest state file read (`limits.stateFileMax`); a bigger one is refused before reading. Default 256 MiB. */
  maxBytes?: number
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
  private readonly maxBytes: number
  private onDisk: OnDisk = 'unknown'
  /** The generation this store last read or wrote (under its lock). */
  private known: Generation | undefined
  private overLimit = false
  private readonly lostListeners: Array<(error: Error) => void> = []
  private chain: Promise<unknown> = Promise.resolve()
  /** Removal of the retired `.bak` generation, left to run after the last save resolved. */
  private cleanup: Promise<void> = Promise.resolve()
  private closed = false
  private readonly reportedSecretPaths = new Set<string>()

  private constructor(
    file: string,
    private lock: StateLock | undefined,
    private readonly opts: JsonFileStoreOptions,
  ) {
    this.file = file
    this.backupFile = `${file}.bak`
    this.fs = opts.fs ?? nodeFsLike
    this.logger = opts.logger ?? silentLogger
    this.prettyBelow = opts.prettyBelow ?? 64 * 1024
    this.now = opts.now ?? Date.now
    this.maxBytes = opts.maxBytes ?? DEFAULT_STATE_FILE_MAX
    this.watch(lock)
  }

  /**
   * Open (and by default lock) a state file. A symlink is resolved here, once: the real file is locked and
   * written, and the link is left alone. Throws STATE_LOCKED naming the holder's pid.
   */
  static async open(file: string, opts: JsonFileStoreOptions = {}): Promise<JsonFileStore> {
    const canonical = await canonicalStatePath(file)
    if (canonical !== path.resolve(file)) {
      opts.logger?.info(
        { state: file, file: canonical },
        'the state path goes through a symbolic link: locking and writing the real file',
      )
    }
    const lock = opts.lock === false ? undefined : await acquireStateLock(canonical, lockOptions(opts))
    const store = new JsonFileStore(canonical, lock, opts)
    if (lock) {
      await store.removeStrayTempFiles()
      store.known = await generationOf(store.fs, store.file)
    }
    return store
  }

  /** Set when the lock could not be kept (another process may have taken it): writes are refused until retaken. */
  get lockLost(): Error | undefined {
    return this.lock?.lost
  }

  /** Call `listener` every time the lock is lost. */
  onLockLost(listener: (error: Error) => void): void {
    this.lostListeners.push(listener)
  }

  private watch(lock: StateLock | undefined): void {
    lock?.onLost((error) => {
      for (const listener of this.lostListeners) listener(error)
    })
  }

  /**
   * After the lock was lost, take it again: true when held again, false when the store is closed or never locked.
   * Throws STATE_LOCKED while another process holds it (try again later), or the file system's error (EROFS).
   * Throws STATE_LOCK_LOST, giving the fresh lock back, when the file is no longer the generation this store last
   * read or wrote: another process wrote it, so this store's state is stale and only a restart that reads it is safe.
   */
  async retakeLock(): Promise<boolean> {
    if (this.closed || !this.lock) return false
    if (!this.lock.lost) return true
    const lock = await retakeStateLock(this.file, lockOptions(this.opts))
    if (this.closed) {
      await lock.release()
      return false
    }
    const onDisk = await generationOf(this.fs, this.file).catch(() => 'unknown')
    if (onDisk !== this.known) {
      await lock.release()
      throw new SeamAlertsError(
        'STATE_LOCK_LOST',
        `State file ${this.file} was written by another process while this one had lost its lock: this process's state is out of date. Exiting so that a restart reads the file.`,
      )
    }
    this.lock = lock
    this.watch(lock)
    return true
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
      const state = await readStateFile(this.file, this.fs, undefined, this.maxBytes)
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
        'STATE_WRITE_FAILED',
        `State file ${this.file}: the lock was lost (${this.lock.lost.message}); not writing until it is taken again.`,
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
      // Whatever the failed write left on disk is this process's own (it holds the lock).
      if (this.lock && !this.lock.lost)
        this.known = await generationOf(this.fs, this.file).catch(() => undefined)
      this.fail(
        `Could not write state file ${this.file} (${describeWriteError(error)}). The previous state is intact; keeping it and retrying on the next write.`,
        error,
      )
    }
    this.onDisk = 'good'
    this.lastSaveBytes = data.length
    if (this.lock) this.known = await generationOf(this.fs, this.file).catch(() => undefined)
    this.warnOverLimit(data.length)
  }

  /** Say once (per crossing) that the file grew past limits.stateFileMax: the next start would refuse it. */
  private warnOverLimit(bytes: number): void {
    const over = bytes > this.maxBytes
    if (over && !this.overLimit) {
      this.logger.error(
        { file: this.file, bytes, max: this.maxBytes },
        `the state file is ${formatSize(bytes)}, over limits.stateFileMax (${formatSize(this.maxBytes)}): the next start will refuse it. Raise limits.stateFileMax, or lower the retention.* limits`,
      )
    }
    this.overLimit = over
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
        this.onDisk = (await readStateFile(this.file, this.fs, undefined, this.maxBytes)) ? 'good' : 'missing'
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

const lockOptions = (opts: JsonFileStoreOptions) => ({
  ...(opts.staleMs !== undefined ? { staleMs: opts.staleMs } : {}),
  ...(opts.logger ? { logger: opts.logger } : {}),
  ...(opts.lockedHint ? { doing: opts.lockedHint } : {}),
})
