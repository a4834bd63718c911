import cron from 'node-cron'
import type { Config } from '../config.js'
import { InputError, type InputIssue } from '../errors.js'

/** What the schema cannot check but the daemon needs before it takes the lock: an API key, cron, time zone. */
export function checkConfig(config: Config): void {
  const issues: InputIssue[] = []
  if (!config.seam.apiKey)
    issues.push({
      file: 'config',
      path: '$.seam.apiKey',
      message: 'not set: put it in the config or set SEAM_API_KEY',
    })
  if (!cron.validate(config.housekeeping.cron))
    issues.push({ file: 'config', path: '$.housekeeping.cron', message: 'not a valid cron expression' })
  try {
    new Intl.DateTimeFormat('en', { timeZone: config.timezone })
  } catch {
    issues.push({
      file: 'config',
      path: '$.timezone',
      message: 'unknown IANA time zone (e.g. "Europe/Berlin")',
    })
  }
  if (issues.length > 0) throw new InputError('CONFIG_INVALID', issues)
}
