import { z } from 'zod'
import { durationSchema } from '../duration.js'
import { errorMessage, jsonPath } from '../errors.js'
import { formatMatcher, parseMatcher } from './matcher.js'
import { newSilenceId, type Silence } from './silence.js'

/**
 * The body of a silence create request: `POST /api/v1/silences`, and what `silence add` builds from its flags
 * (`--matcher` → matchers, `--start` → startsAt, `--end` → endsAt, `--duration`, `--author` → createdBy,
 * `--comment`, `--no-summary` → noSummary). Unknown fields are rejected, so a typo is named rather than ignored.
 */
const isoTime = z
  .string()
  .refine((text) => !Number.isNaN(Date.parse(text)), 'expected an ISO 8601 time like "2026-03-01T09:00:00Z"')

const matcherText = z.string().transform((text, ctx) => {
  try {
    return formatMatcher(parseMatcher(text))
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: errorMessage(error), input: text })
    return z.NEVER
  }
})

/** Alertmanager's rule: a silence whose every matcher matches the empty string would match every alert. */
const matchesEmpty = (text: string): boolean => {
  try {
    return parseMatcher(text).matches('')
  } catch {
    return false
  }
}

export const silenceRequestSchema = z
  .strictObject({
    matchers: z
      .array(matcherText, { error: 'expected an array of matchers like ["rule=low-battery"]' })
      .min(1, 'expected at least one matcher like "rule=low-battery"')
      .describe('Alertmanager matchers (name=value, name!=value, name=~regex, name!~regex); all must match.'),
    startsAt: isoTime
      .optional()
      .describe('When the silence starts (ISO 8601); default now. A past start is now.'),
    endsAt: isoTime.optional().describe('When it ends (ISO 8601). Give this or duration.'),
    duration: durationSchema
      .optional()
      .describe('How long from startsAt, like "2h" or "7d". Give this or endsAt.'),
    createdBy: z
      .string()
      .trim()
      .min(1, 'expected a non-empty author')
      .max(200)
      .optional()
      .describe('Who made it.'),
    comment: z
      .string({ error: 'expected a comment saying why (required)' })
      .trim()
      .min(1, 'expected a comment saying why (required)')
      .max(2000)
      .describe('Why, shown in lists and in the end-of-silence summary.'),
    noSummary: z.boolean().optional().describe('Do not send the end-of-silence summary.'),
  })
  .superRefine((request, ctx) => {
    if ((request.endsAt === undefined) === (request.duration === undefined)) {
      const message = 'expected exactly one of endsAt and duration'
      ctx.addIssue({ code: 'custom', path: [request.endsAt === undefined ? 'duration' : 'endsAt'], message })
    }
    if (request.matchers.length > 0 && request.matchers.every(matchesEmpty)) {
      const message =
        'expected at least one matcher that does not match the empty string (this one matches every alert)'
      ctx.addIssue({ code: 'custom', path: ['matchers'], message })
    }
  })

export type SilenceRequest = z.input<typeof silenceRequestSchema>

/** A problem with one field of the request; `field` is a JSON path such as `$.matchers[1]` or `$.endsAt`. */
export interface SilenceIssue {
  field: string
  message: string
}

export type SilenceResult = { ok: true; silence: Silence } | { ok: false; issues: SilenceIssue[] }

export interface CreateOptions {
  now: number
  /** createdBy when the request has none (the CLI: the OS user; the API: "api"). */
  defaultAuthor: string
  newId?: () => string
}

/**
 * Validate a create request and build the silence, with Alertmanager's rules: at least one matcher that does not
 * match the empty string, an end after the start and not in the past. A start in the past becomes now (the end
 * of `startsAt + duration` is still counted from the given start).
 */
export function createSilence(body: unknown, opts: CreateOptions): SilenceResult {
  const parsed = silenceRequestSchema.safeParse(body)
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.map((issue) => ({ field: jsonPath(issue.path), message: issue.message })),
    }
  }
  const request = parsed.data
  const requestedStart = request.startsAt === undefined ? opts.now : Date.parse(request.startsAt)
  const endsAt =
    request.endsAt === undefined ? requestedStart + request.duration! : Date.parse(request.endsAt)
  const endField = request.endsAt === undefined ? '$.duration' : '$.endsAt'
  const startsAt = Math.max(requestedStart, opts.now)
  if (endsAt <= requestedStart) {
    return { ok: false, issues: [{ field: endField, message: 'expected the end to come after the start' }] }
  }
  if (endsAt <= opts.now) {
    return { ok: false, issues: [{ field: endField, message: 'expected the end to be in the future' }] }
  }
  const at = new Date(opts.now).toISOString()
  const silence: Silence = {
    id: (opts.newId ?? newSilenceId)(),
    matchers: request.matchers,
    startsAt: new Date(startsAt).toISOString(),
    endsAt: new Date(endsAt).toISOString(),
    createdBy: request.createdBy ?? opts.defaultAuthor,
    comment: request.comment,
    createdAt: at,
    updatedAt: at,
  }
  if (request.noSummary) silence.noSummary = true
  return { ok: true, silence }
}
