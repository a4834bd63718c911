import type { Config } from '../config.js'
import { formatDuration } from '../duration.js'
import { formatIssue, type InputIssue } from '../errors.js'
import type { Logger } from '../log.js'
import { channelKind, type Notifiers } from '../notify/channels.js'
import { describeStateSetting } from '../state/postgres/target.js'
import { VERSION } from '../version.js'
import type { ActionPolicy, RuleInfo } from './actions.js'

/** Every problem in the rule files, one warning each (`file: JSON path: message`). */
export function logRuleIssues(logger: Logger, issues: readonly InputIssue[]): void {
  for (const issue of issues)
    logger.warn({ file: issue.file, path: issue.path }, `rule problem: ${formatIssue(issue)}`)
}

/**
 * The one line that says what is running: version, rules (count and ids), state file, cursor and how far behind
 * it is, channels configured, health URL. Never a secret.
 */
export function logStartLine(
  logger: Logger,
  info: {
    config: Config
    rules: readonly RuleInfo[]
    /** Ids of rules present but `"enabled": false`. */
    disabled?: string[]
    cursor: string | null
    now: number
    channels: string[]
    healthUrl: string | undefined
    digests: string[]
    once: boolean
    /** The role this daemon began in (a PostgreSQL replica may also begin as a standby, ha/). */
    role?: 'leader' | 'standby'
    /** A standby that became the leader later: the same line, saying so. */
    promoted?: boolean
  },
): void {
  const ids = info.rules.map((rule) => rule.id)
  const cursorMs = info.cursor ? Date.parse(info.cursor) : Number.NaN
  const lagMs = Number.isNaN(cursorMs) ? undefined : Math.max(0, info.now - cursorMs)
  const cursorText = info.cursor
    ? `cursor ${info.cursor} (${formatDuration(lagMs ?? 0)} behind)`
    : `no cursor yet (starting from ${info.config.seam.startFrom})`
  const parts = [
    info.promoted
      ? `seam-alerts ${VERSION} now leading`
      : `seam-alerts ${VERSION} ${info.once ? 'running once' : 'started'}${info.role ? ` as ${info.role}` : ''}`,
    `${ids.length} rules (${ids.join(', ') || 'none'})${info.disabled?.length ? `, disabled: ${info.disabled.join(', ')}` : ''}`,
    `state ${describeStateSetting(info.config.state)}`,
    cursorText,
    `channels: ${info.channels.join(', ')}`,
  ]
  if (info.healthUrl) parts.push(`health ${info.healthUrl}/healthz, metrics ${info.healthUrl}/metrics`)
  logger.info(
    {
      version: VERSION,
      role: info.role ?? 'leader',
      rules: ids,
      state: describeStateSetting(info.config.state),
      cursor: info.cursor,
      lagSeconds: lagMs === undefined ? null : Math.round(lagMs / 1000),
      channels: info.channels,
      endpoint: info.config.seam.endpoint,
      pollInterval: formatDuration(info.config.seam.pollInterval),
      health: info.healthUrl ?? null,
      digests: info.digests,
    },
    parts.join(' | '),
  )
  if (ids.length === 0) logger.warn({ dir: info.config.rules }, 'no rules loaded: nothing will alert')
}

/** Warn once per rule whose actions need a channel that is not configured (they would be dead-lettered). */
export function warnUnroutable(
  logger: Logger,
  rules: readonly RuleInfo[],
  policy: ActionPolicy,
  notifiers: Notifiers,
): void {
  for (const rule of rules) {
    const missing = new Set(
      policy
        .forRule(rule)
        .map((action) => channelKind(action))
        .filter((kind) => !notifiers[kind]),
    )
    if (missing.size > 0) {
      logger.warn(
        { rule: rule.id, channels: [...missing] },
        `rule ${rule.id} sends to ${[...missing].join(', ')}, which is not configured: those alerts will be dead-lettered`,
      )
    }
  }
  if (policy.forMonitor().length === 0)
    logger.info('monitor.actions is empty: self-monitoring meta-alerts are only logged')
}
