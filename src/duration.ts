import ms from 'ms'
import { z } from 'zod'

/** Durations are written `500ms`, `30s`, `10m`, `2h`, `7d`: a whole number and one unit, nothing else. */
const DURATION = /^(\d+)(ms|s|m|h|d)$/

export function parseDuration(text: string): number {
  if (!DURATION.test(text)) {
    throw new Error(
      `expected a duration like "500ms", "30s", "10m", "2h" or "7d", got ${JSON.stringify(text)}`,
    )
  }
  return ms(text as ms.StringValue)
}

export function formatDuration(milliseconds: number): string {
  return ms(milliseconds, { long: true })
}

/** A zod schema for a duration string that outputs milliseconds. */
export const durationSchema = z
  .string()
  .regex(DURATION, 'expected a duration like "500ms", "30s", "10m", "2h" or "7d"')
  .transform((text) => parseDuration(text))
