import type { Logger } from '../log.js'
import type { Outcome } from './outcomes.js'
import type { SendUnit } from './rollup.js'

/**
 * One log line per send attempt: `alert sent` (info), `alert send failed; will retry` (warn), `alert
 * dead-lettered` (error), and a warning when an email went out but the server refused some recipients.
 */
export function logOutcome(logger: Logger, target: string, unit: SendUnit, outcome: Outcome): void {
  const ids = unit.items.map((item) => item.id)
  const fields = {
    target,
    ids: ids.length > 5 ? `${ids.slice(0, 5).join(', ')} (+${ids.length - 5})` : ids,
  }
  if (outcome.type === 'sent' && outcome.receipt.refused) {
    const { recipients, reason } = outcome.receipt.refused
    logger.warn(
      { ...fields, refused: recipients, reason },
      'alert sent, but the SMTP server refused some recipients: a copy for them is in the dead letters',
    )
  } else if (outcome.type === 'sent')
    logger.info({ ...fields, rollup: unit.rollup || undefined }, 'alert sent')
  else if (outcome.type === 'retry')
    logger.warn(
      { ...fields, error: outcome.error, retryAt: new Date(outcome.nextAttemptAt).toISOString() },
      'alert send failed; will retry',
    )
  else logger.error({ ...fields, reason: outcome.reason }, 'alert dead-lettered')
}
