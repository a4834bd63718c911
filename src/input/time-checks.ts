import cron from 'node-cron'
import { z } from 'zod'

/**
 * The time-zone and cron checks, written once: the config schema, the rule schema and the digest scheduler all
 * use these.
 */

/** Does this runtime know the IANA zone? (`Intl` throws a RangeError for an unknown one.) */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone })
    return true
  } catch {
    return false
  }
}

/** Is this a cron expression node-cron can schedule (5 fields, or 6 with seconds)? */
export function isCronExpression(expression: string): boolean {
  return cron.validate(expression)
}

/** An IANA time zone name such as "Europe/Berlin". */
export const timeZoneSchema = z.string().refine(isTimeZone, 'unknown IANA time zone (e.g. "Europe/Berlin")')

/** A cron expression; `message` says what was expected, with an example that fits where it is used. */
export const cronSchema = (message: string) => z.string().refine(isCronExpression, message)
