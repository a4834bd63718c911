import { z } from 'zod'

/**
 * Sizes are written like durations: a whole number and one unit, nothing else: `512B`, `64KB`, `256MB`, `1GB`.
 * Units are powers of 1024 (`KB` and `KiB` are the same, as in most daemons' configs); case does not matter.
 * A plain JSON number is a count of bytes.
 */
const SIZE = /^(\d+)(B|KB|KiB|MB|MiB|GB|GiB)$/i
const EXPECTED = 'expected a size like "512KB", "256MB" or "1GB" (or a number of bytes)'

const UNIT: Record<string, number> = {
  b: 1,
  kb: 1024,
  kib: 1024,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
}

export function parseSize(text: string): number {
  const match = SIZE.exec(text)
  if (!match) throw new Error(`${EXPECTED}, got ${JSON.stringify(text)}`)
  return Number(match[1]) * UNIT[match[2]!.toLowerCase()]!
}

/** `268435456` -> `256 MiB`, `1536` -> `1.5 KiB`: for messages. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  const [value, unit] =
    bytes < 1024 ** 2
      ? [bytes / 1024, 'KiB']
      : bytes < 1024 ** 3
        ? [bytes / 1024 ** 2, 'MiB']
        : [bytes / 1024 ** 3, 'GiB']
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${unit}`
}

/** A zod schema for a size (`"256MB"` or a number of bytes) that outputs a positive whole number of bytes. */
export const sizeSchema = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const bytes = typeof value === 'number' ? value : SIZE.test(value) ? parseSize(value) : Number.NaN
  if (Number.isSafeInteger(bytes) && bytes > 0) return bytes
  ctx.addIssue({ code: 'custom', message: EXPECTED, input: value })
  return z.NEVER
})
