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

/** Make `<file>.bak` the current generation of `file` (hard link; copy where links are not supported). */
async function backUp(fs: FsLike, file: string, bakTemp: string): Promise<void> {
  try {
    await fs.link(file, bakTemp)
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return
    const data = await fs.readFile(file)
    await writeNew(fs, bakTemp, data)
  }
  await fs.chmod(bakTemp, FILE_MODE)
  await fs.rename(bakTemp, `${file}.bak`)
}

/**
 * Atomically and durably replace `file` with `data`: write a temp file in the same directory, fsync it, (keep
 * the current generation as `<file>.bak`), rename it over `file`, fsync the directory. At every instant `file`
 * and `<file>.bak` are each a complete generation. On failure the temp files are removed and the error thrown.
 */
export async function writeFileAtomic(
  fs: FsLike,
  file: string,
  data: Uint8Array,
  opts: { backup: boolean },
): Promise<void> {
  const temp = tempName(file)
  const bakTemp = tempName(file, 'bak-tmp')
  try {
    await writeNew(fs, temp, data)
    if (opts.backup) await backUp(fs, file, bakTemp)
    await fs.rename(temp, file)
    await syncDir(fs, path.dirname(file))
  } catch (error) {
    await removeQuietly(fs, temp)
    await removeQuietly(fs, bakTemp)
    throw error
  }
}
