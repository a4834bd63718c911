import { type Config, configFileOf } from '../config.js'
import { InputError, type InputIssue } from '../errors.js'

/**
 * What the schema cannot check but the daemon needs before it takes the lock: an API key (it may come from
 * SEAM_API_KEY after parsing). The time zone and cron are checked by configSchema with everything else. Issues
 * name `file`, by default the file the config was loaded from.
 */
export function checkConfig(config: Config, file: string = configFileOf(config) ?? 'config'): void {
  const issues: InputIssue[] = []
  if (!config.seam.apiKey)
    issues.push({
      file,
      path: '$.seam.apiKey',
      message: 'not set: put it in the config or set SEAM_API_KEY',
    })
  if (issues.length > 0) throw new InputError('CONFIG_INVALID', issues)
}
