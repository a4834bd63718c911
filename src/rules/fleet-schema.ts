import { z } from 'zod'
import { durationSchema } from '../duration.js'

/**
 * The fleet rule kinds' fields of a rule file (see docs/fleet-rules.md): `window.distinct`, `firstSeen` and
 * `spike`, and which rule kinds they cannot be combined with. Imported by rule-schema.ts.
 */
const fieldPath = z
  .string()
  .min(1)
  .regex(/^[^.]+(\.[^.]+)*$/, 'expected a field name or a dotted path like "device_custom_metadata.site"')

const positiveDuration = durationSchema.refine((ms) => ms > 0, 'expected a duration greater than 0')

/** `window.distinct`: count distinct values of this field instead of events. */
export const distinctField = fieldPath
  .optional()
  .describe(
    'Count distinct non-null values of this field (or dotted path) among the window\'s events instead of events, e.g. "device_id".',
  )

export const firstSeenSchema = z
  .strictObject({
    fields: z
      .array(fieldPath)
      .min(1, 'expected at least one field, e.g. ["device_id", "access_code_id"]')
      .describe('Fields (or dotted paths) whose tuple of values is remembered; a missing value is null.'),
    remember: positiveDuration.describe(
      'A tuple not seen for longer than this counts as new again; older tuples are forgotten.',
    ),
    learnFor: positiveDuration
      .optional()
      .describe(
        'Learn without firing for this long, from the occurred_at of the first qualifying event the rule processed.',
      ),
  })
  .describe('Fire the first time a tuple of field values is seen (or seen again after "remember").')

export const spikeSchema = z
  .strictObject({
    within: positiveDuration.describe(
      'Length of the current window (t - within, t] and of the reference window before it.',
    ),
    factor: z
      .number()
      .positive()
      .describe('Fire when the current count is at least factor times the reference count.'),
    minCount: z.number().int().min(1).describe('...and the current count is at least this.'),
    minReference: z
      .number()
      .int()
      .min(0)
      .default(1)
      .describe('...and the reference count is at least this (default 1).'),
  })
  .describe('Fire when qualifying events of a group run at "factor" times their rate in the window before.')

export type FirstSeen = z.output<typeof firstSeenSchema>
export type Spike = z.output<typeof spikeSchema>

interface KindFields {
  window?: unknown
  absence?: unknown
  firstSeen?: unknown
  spike?: unknown
}

/** The combinations the fleet kinds rule out, as issues at the field that cannot be combined. */
export function fleetKindIssues(rule: KindFields): { path: string[]; message: string }[] {
  const issues: { path: string[]; message: string }[] = []
  if (rule.firstSeen !== undefined)
    for (const other of ['window', 'absence', 'spike'] as const)
      if (rule[other] !== undefined)
        issues.push({
          path: ['firstSeen'],
          message: `"firstSeen" cannot be combined with "${other}" (a first-seen rule fires on one event)`,
        })
  if (rule.spike !== undefined)
    for (const other of ['window', 'absence'] as const)
      if (rule[other] !== undefined)
        issues.push({
          path: ['spike'],
          message: `"spike" cannot be combined with "${other}" (a spike fires on a rate, not a count or a missing event)`,
        })
  return issues
}
