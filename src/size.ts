import { z } from 'zod'

/**
 * Sizes are a whole number of bytes (`262144`) or a string of a whole number and one unit: `512B`, `256KB`, `64MB`,
 * `1GB`. Units are binary (1KB = 1024 bytes); `KiB`, `MiB` and `GiB` are accepted as the same.
 */
const SIZE = /^(\d+)\s?(B|KB|KiB|MB|MiB|GB|GiB)$/

const UNIT: Record<string, number> = {
  B: 1,
  KB: 1024,
  KiB: 1024,
  MB: 1024 ** 2,
  MiB: 1024 ** 2,
  GB: 1024 ** 3,
  GiB: 1024 ** 3,
}

const EXPECTED = 'expected a size: a whole number of bytes or a string like "256KB", "64MB" or "1GB"'

export function parseSize(text: string): number {
  const match = SIZE.exec(text)
  if (!match) throw new Error(`${EXPECTED}, got ${JSON.stringify(text)}`)
  return Number(match[1]) * UNIT[match[2]!]!
}

/** "256 KiB", "1.5 MiB": a size for messages. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  const [value, unit] = bytes < 1024 ** 2 ? [bytes / 1024, 'KiB'] : [bytes / 1024 ** 2, 'MiB']
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${unit}`
}

/** A zod schema for a size (bytes as a number, or a string with a unit) that outputs bytes. */
export const sizeSchema = z.union([z.number(), z.string()], { error: EXPECTED }).transform((value, ctx) => {
  const bytes =
    typeof value === 'number'
      ? Number.isSafeInteger(value) && value >= 1
        ? value
        : Number.NaN
      : SIZE.test(value)
        ? parseSize(value)
        : Number.NaN
  if (Number.isNaN(bytes)) {
    ctx.addIssue({ code: 'custom', message: EXPECTED, input: value })
    return z.NEVER
  }
  return bytes
})
