import { promises as nodeFs } from 'node:fs'

/** The part of an open file handle the store uses. `node:fs/promises` FileHandle satisfies it. */
export interface FileHandleLike {
  writeFile(data: string | Uint8Array): Promise<void>
  sync(): Promise<void>
  close(): Promise<void>
}

/**
 * The file-system calls the state store makes, injectable so tests can make a write, fsync or rename fail
 * (ENOSPC, EACCES) at an exact step. `node:fs/promises` satisfies it.
 */
export interface FsLike {
  readFile(file: string): Promise<Buffer>
  open(file: string, flags: string, mode?: number): Promise<FileHandleLike>
  rename(from: string, to: string): Promise<void>
  unlink(file: string): Promise<void>
  link(existing: string, newPath: string): Promise<void>
  copyFile(from: string, to: string): Promise<void>
  chmod(file: string, mode: number): Promise<void>
  stat(file: string): Promise<{ size: number; mode: number; mtimeMs: number; ino: number }>
  readdir(dir: string): Promise<string[]>
}

export const nodeFsLike: FsLike = {
  readFile: (file) => nodeFs.readFile(file),
  open: (file, flags, mode) => nodeFs.open(file, flags, mode),
  rename: (from, to) => nodeFs.rename(from, to),
  unlink: (file) => nodeFs.unlink(file),
  link: (existing, newPath) => nodeFs.link(existing, newPath),
  copyFile: (from, to) => nodeFs.copyFile(from, to),
  chmod: (file, mode) => nodeFs.chmod(file, mode),
  stat: (file) => nodeFs.stat(file),
  readdir: (dir) => nodeFs.readdir(dir),
}

export function errnoCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code
}

/** Which generation of a file is on disk: inode, size and mtime, or 'missing'. Tells whether someone rewrote it. */
export type Generation = string

export async function generationOf(fs: FsLike, file: string): Promise<Generation> {
  try {
    const stat = await fs.stat(file)
    return `${stat.ino}:${stat.size}:${stat.mtimeMs}`
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return 'missing'
    throw error
  }
}
