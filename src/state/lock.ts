import { promises as nodeFs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import lockfile from 'proper-lockfile'
import { SeamAlertsError } from '../errors.js'
import type { Logger } from '../log.js'
import { silentLogger } from '../log.js'
import { FILE_MODE, tempName } from './atomic-write.js'
import { errnoCode } from './fs-like.js'

/** Who holds a state file: written next to it as `<file>.lock-owner` while the lock is held. */
export interface LockOwner {
  pid: number
  host: string
  startedAt: string
}

export interface StateLock {
  /** Set when the lock could not be kept fresh (another process may have taken it): stop writing. */
  readonly lost: Error | undefined
  release(): Promise<void>
  /** Call `listener` once when the lock is lost (at once when it is lost already). */
  onLost(listener: (error: Error) => void): void
}

export const lockDirFor = (file: string) => `${file}.lock`
export const ownerFileFor = (file: string) => `${file}.lock-owner`

export async function readLockOwner(file: string): Promise<LockOwner | undefined> {
  try {
    const owner = JSON.parse(await nodeFs.readFile(ownerFileFor(file), 'utf8')) as Partial<LockOwner>
    if (typeof owner.pid !== 'number') return undefined
    return { pid: owner.pid, host: String(owner.host ?? '?'), startedAt: String(owner.startedAt ?? '?') }
  } catch {
    return undefined
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return errnoCode(error) === 'EPERM'
  }
}

/** A holder recorded on this host whose process is gone (kill -9, power cut): its lock is stale already. */
const isDeadHere = (owner: LockOwner | undefined): owner is LockOwner =>
  owner !== undefined && owner.host === os.hostname() && owner.pid !== process.pid && !isAlive(owner.pid)

export function describeOwner(owner: LockOwner | undefined): string {
  if (!owner) return 'another seam-alerts process (pid unknown)'
  return `another seam-alerts process (pid ${owner.pid} on ${owner.host}, since ${owner.startedAt})`
}

export function lockedError(file: string, owner: LockOwner | undefined, doing: string): SeamAlertsError {
  return new SeamAlertsError(
    'STATE_LOCKED',
    `State file ${file} is locked by ${describeOwner(owner)}. ${doing}`,
  )
}

async function writeOwner(file: string): Promise<void> {
  const owner: LockOwner = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString() }
  const temp = tempName(file, 'tmp')
  await nodeFs.writeFile(temp, `${JSON.stringify(owner)}\n`, { mode: FILE_MODE })
  await nodeFs.rename(temp, ownerFileFor(file))
}

/** Is the state file locked right now, and by whom? (For read-only commands; takes nothing.) */
export async function lockStatus(
  statePath: string,
  staleMs = 10_000,
): Promise<{ locked: boolean; owner?: LockOwner }> {
  const file = await canonicalStatePath(statePath)
  const locked = await lockfile.check(file, { realpath: false, stale: staleMs })
  if (!locked) return { locked: false }
  const owner = await readLockOwner(file)
  if (isDeadHere(owner)) return { locked: false }
  return owner ? { locked: true, owner } : { locked: true }
}

/**
 * Take the exclusive lock on a state file (proper-lockfile: a `<file>.lock` directory kept fresh, considered
 * stale after `staleMs` without refresh). A holder on this host whose pid is gone is taken over at once.
 * Throws STATE_LOCKED naming the holder's pid.
 */
export async function acquireStateLock(
  file: string,
  opts: { staleMs?: number; logger?: Logger; doing?: string } = {},
): Promise<StateLock> {
  const logger = opts.logger ?? silentLogger
  const staleMs = opts.staleMs ?? 10_000
  let lost: Error | undefined
  const listeners: Array<(error: Error) => void> = []
  const options = {
    realpath: false,
    stale: staleMs,
    onCompromised: (error: Error) => {
      lost = error
      logger.error({ file, err: error.message }, 'lost the state file lock: refusing further writes')
      for (const listener of listeners.splice(0)) listener(error)
    },
  }
  const attempt = () => lockfile.lock(file, options)
  let release: () => Promise<void>
  try {
    release = await attempt()
  } catch (error) {
    if (errnoCode(error) !== 'ELOCKED') throw cannotLock(file, error)
    const owner = await readLockOwner(file)
    if (!isDeadHere(owner)) throw lockedError(file, owner, opts.doing ?? defaultDoing)
    // Re-check right before declaring it stale, so a holder that just replaced the dead one is left alone.
    const again = await readLockOwner(file)
    if (again?.pid !== owner.pid) throw lockedError(file, again, opts.doing ?? defaultDoing)
    logger.warn({ file, pid: owner.pid }, 'taking over the state file lock of a process that is gone')
    const past = new Date(Date.now() - 2 * staleMs - 60_000)
    await nodeFs.utimes(lockDirFor(file), past, past).catch(() => {})
    try {
      release = await attempt()
    } catch (retryError) {
      if (errnoCode(retryError) !== 'ELOCKED') throw retryError
      throw lockedError(file, await readLockOwner(file), opts.doing ?? defaultDoing)
    }
  }
  await writeOwner(file)
  let released = false
  return {
    get lost() {
      return lost
    },
    onLost(listener) {
      if (lost) listener(lost)
      else listeners.push(listener)
    },
    async release() {
      if (released) return
      released = true
      // A lost lock may belong to another holder by now: its owner file is not ours to remove.
      const owner = lost ? undefined : await readLockOwner(file)
      if (owner?.pid === process.pid) await nodeFs.unlink(ownerFileFor(file)).catch(() => {})
      await release().catch(() => {})
    },
  }
}

/**
 * Take a lost lock back (acquireStateLock). While this process's own old lock directory is still there and fresh
 * (its file system came back), it says so rather than naming itself as "another process".
 */
export async function retakeStateLock(
  file: string,
  opts: Parameters<typeof acquireStateLock>[1],
): Promise<StateLock> {
  try {
    return await acquireStateLock(file, opts)
  } catch (error) {
    if (!(error instanceof SeamAlertsError) || error.code !== 'STATE_LOCKED') throw error
    const owner = await readLockOwner(file)
    if (owner?.pid !== process.pid || owner.host !== os.hostname()) throw error
    throw new SeamAlertsError(
      'STATE_LOCKED',
      `State file ${file} is still locked by this process's own lock from before it was lost; it is taken back once that goes stale.`,
    )
  }
}

/** A lock that cannot be created at all: say why in the user's terms (the raw error names only the lock dir). */
function cannotLock(file: string, error: unknown): SeamAlertsError {
  const code = errnoCode(error)
  const dir = path.dirname(file)
  const why =
    code === 'ENOENT'
      ? `its directory ${dir} does not exist. Create it, writable by the user running seam-alerts, or point "state" elsewhere`
      : code === 'EACCES' || code === 'EPERM'
        ? `${code}: permission denied. The user running seam-alerts must be able to create files in ${dir}`
        : code === 'EROFS'
          ? `EROFS: the file system of ${dir} is read-only`
          : (code ?? (error as Error).message)
  return new SeamAlertsError('STATE_WRITE_FAILED', `Cannot lock state file ${file}: ${why}.`, {
    cause: error,
  })
}

const defaultDoing =
  'Only one seam-alerts may use a state file at a time: stop the other one first, or give this one its own "state" path.'

/** How many symlinks a dangling chain may have before it is treated as a loop (Linux's own limit is 40). */
const MAX_LINKS = 40

/**
 * The real file behind a state path, resolved once at start, so that the lock, the writes, `.bak`, the temp files
 * and the lock files all live beside the real file and the symlink itself is left alone: two daemons started on
 * a link and on its target share one lock.
 * - An existing file: every symlink on the way resolved (realpath).
 * - A missing file: its directory resolved (a symlinked directory is fine), the name kept.
 * - A dangling symlink: followed to the file it names, which the first save creates (like a shell's `>`).
 * - A symlink loop: STATE_CORRUPT (a restart cannot fix it).
 */
export async function canonicalStatePath(file: string): Promise<string> {
  const absolute = path.resolve(file)
  try {
    return await nodeFs.realpath(absolute)
  } catch (error) {
    if (errnoCode(error) === 'ELOOP') throw symlinkLoop(file)
    if (errnoCode(error) !== 'ENOENT') return absolute
  }
  let current = absolute
  for (let links = 0; ; links++) {
    const dir = await nodeFs.realpath(path.dirname(current)).catch(() => path.dirname(current))
    current = path.join(dir, path.basename(current))
    const stat = await nodeFs.lstat(current).catch(() => undefined)
    if (!stat?.isSymbolicLink()) return current
    if (links >= MAX_LINKS) throw symlinkLoop(file)
    current = path.resolve(dir, await nodeFs.readlink(current))
  }
}

const symlinkLoop = (file: string) =>
  new SeamAlertsError(
    'STATE_CORRUPT',
    `State path ${file} is a loop of symbolic links (ELOOP). Point "state" at a file, or fix the link.`,
  )
