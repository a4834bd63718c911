import { randomBytes } from 'node:crypto'
import path from 'node:path'
import { errnoCode, type FsLike } from './fs-like.js'

export const FILE_MODE = 0o600
let sequence = 0

/** `.state.json.<pid>.<n>.<random>.tmp`: unique per write, hidden, in the same directory (same file system). */
export function tempName(file: string, suffix = 'tmp'): string {
  sequence += 1
  const rand = randomBytes(4).toString('hex')
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${sequence}.${rand}.${suffix}`)
}

/** Does `name` (a directory entry) look like one of our temp files for `file`? */
export function isTempFor(file: string, name: string): boolean {
  const prefix = `.${path.basename(file)}.`
  return name.startsWith(prefix) && /\.\d+\.\d+\.[0-9a-f]{8}\.(tmp|bak-tmp)$/.test(name)
}

async function removeQuietly(fs: FsLike, file: string): Promise<void> {
  try {
    await fs.unlink(file)
  } catch {
    // already gone, or the disk is in trouble; nothing more to do
  }
}

async function syncDir(fs: FsLike, dir: string): Promise<void> {
  let handle: Awaited<ReturnType<FsLike['open']>> | undefined
  try {
    handle = await fs.open(dir, 'r')
    await handle.sync()
  } catch (error) {
    // Platforms without directory fsync (Windows) report these; anything else is a real durability failure.
    if (!['EISDIR', 'EINVAL', 'ENOTSUP'].includes(errnoCode(error) ?? '')) throw error
  } finally {
    await handle?.close().catch(() => {})
  }
}

/**
 * `text` and a final newline as UTF-8, in one copy. A large JSON.stringify result is a tree of pieces: the
 * encoder flattens it while writing, so the size is not counted first (that would flatten it separately):
 * the buffer is sized for ASCII plus slack, and only text that does not fit (much non-ASCII) is counted.
 */
export function utf8Line(text: string): Buffer {
  const room = text.length + 1024
  const buffer = Buffer.allocUnsafe(room + 1)
  const written = buffer.write(text, 0, room, 'utf8')
  // The encoder stops before a character that does not fit, so room left means the whole text is in.
  if (written <= room - 4) {
    buffer[written] = 0x0a
    return buffer.subarray(0, written + 1)
  }
  const size = Buffer.byteLength(text, 'utf8')
  const exact = Buffer.allocUnsafe(size + 1)
  exact.write(text, 0, size, 'utf8')
  exact[size] = 0x0a
  return exact
}

/** Write `data` to a new file, fsync it and close it. */
async function writeNew(fs: FsLike, file: string, data: Uint8Array): Promise<void> {
  const handle = await fs.open(file, 'wx', FILE_MODE)
  try {
    await handle.writeFile(data)
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/**
 * Make `<file>.bak` the current generation of `file` (hard link; copy where links are not supported).
 * The generation it replaces is first linked to `retired` when possible, so that the rename does not free its
 * blocks (milliseconds for a multi-megabyte file) on the write's path: returns `retired` when the caller must
 * remove it, else undefined.
 */
async function backUp(
  fs: FsLike,
  file: string,
  bakTemp: string,
  retired: string,
): Promise<string | undefined> {
  try {
    await fs.link(file, bakTemp)
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined
    const data = await fs.readFile(file)
    await writeNew(fs, bakTemp, data)
  }
  await fs.chmod(bakTemp, FILE_MODE)
  const kept = await fs.link(`${file}.bak`, retired).then(
    () => retired,
    () => undefined, // no .bak yet, or no hard links: the rename frees the old one itself
  )
  await fs.rename(bakTemp, `${file}.bak`)
  return kept
}

/**
 * Atomically and durably replace `file` with `data`: write a temp file in the same directory, fsync it, (keep
 * the current generation as `<file>.bak`), rename it over `file`, fsync the directory. At every instant `file`
 * and `<file>.bak` are each a complete generation. On failure the temp files are removed and the error thrown.
 *
 * Resolves to a cleanup to run after the write (not awaited by it): removing the extra link to the retired
 * `.bak` generation. It never throws. Until it ran, a hidden `*.bak-tmp` link to the retired generation
 * remains; `isTempFor` recognizes it, so a process killed before removing it leaves nothing the next opener
 * does not clean up.
 */
export async function writeFileAtomic(
  fs: FsLike,
  file: string,
  data: Uint8Array,
  opts: { backup: boolean },
): Promise<() => Promise<void>> {
  const temp = tempName(file)
  const bakTemp = tempName(file, 'bak-tmp')
  const retiredTemp = tempName(file, 'bak-tmp')
  let retired: string | undefined
  try {
    await writeNew(fs, temp, data)
    if (opts.backup) retired = await backUp(fs, file, bakTemp, retiredTemp)
    await fs.rename(temp, file)
    await syncDir(fs, path.dirname(file))
  } catch (error) {
    await removeQuietly(fs, temp)
    await removeQuietly(fs, bakTemp)
    if (opts.backup) await removeQuietly(fs, retiredTemp)
    throw error
  }
  return () => (retired ? removeQuietly(fs, retired) : Promise.resolve())
}
