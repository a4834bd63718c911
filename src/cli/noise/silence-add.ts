import os from 'node:os'
import type { SilenceIssue, SilenceRequest } from '../../noise/silence-request.js'

/** The flags of `silence add`. */
export interface AddFlags {
  config?: string
  matcher: string[]
  duration?: string
  end?: string
  start?: string
  comment?: string
  author?: string
  /** Commander's `--no-summary`: false when given. */
  summary: boolean
}

/** Default `--author`: the OS user name (USER/USERNAME when the OS has no entry for the uid, else "unknown"). */
export function defaultAuthor(env: NodeJS.ProcessEnv = process.env): string {
  try {
    const name = os.userInfo().username
    if (name) return name
  } catch {
    // no passwd entry (a container running as an arbitrary uid)
  }
  return env.USER || env.USERNAME || 'unknown'
}

/** The create request the flags make: the same body `POST /api/v1/silences` takes. */
export function requestOf(flags: AddFlags, author: string): SilenceRequest {
  const body: SilenceRequest = { matchers: flags.matcher, comment: flags.comment ?? '', createdBy: author }
  if (flags.start !== undefined) body.startsAt = flags.start
  if (flags.end !== undefined) body.endsAt = flags.end
  if (flags.duration !== undefined) body.duration = flags.duration
  if (!flags.summary) body.noSummary = true
  return body
}

const FLAG_OF: Record<string, string> = {
  $: 'silence',
  '$.matchers': '--matcher',
  '$.startsAt': '--start',
  '$.endsAt': '--end',
  '$.duration': '--duration',
  '$.comment': '--comment',
  '$.createdBy': '--author',
  '$.noSummary': '--no-summary',
}

/** A request issue in the CLI's terms: `--matcher "device_id~x": message`, `--duration: message`. */
export function flagIssue(issue: SilenceIssue, flags: AddFlags): string {
  const matcher = /^\$\.matchers\[(\d+)\]/.exec(issue.field)
  if (matcher) return `--matcher ${JSON.stringify(flags.matcher[Number(matcher[1])] ?? '')}: ${issue.message}`
  return `${FLAG_OF[issue.field] ?? issue.field}: ${issue.message}`
}
