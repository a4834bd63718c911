import { z } from 'zod'
import { durationSchema } from '../duration.js'
import { cronSchema, timeZoneSchema } from '../input/time-checks.js'
import { actionSchema } from './action-schema.js'
import type { TopCondition } from './condition-types.js'
import { CUSTOM_OPERATORS } from './custom-operators.js'
import { EVENT_TYPE_PATTERN } from './event-types.js'
import { distinctField, firstSeenSchema, fleetKindIssues, spikeSchema } from './fleet-schema.js'
import { inhibitRuleSchema } from './inhibit-schema.js'

/**
 * The rule file format (one JSON file per rule). Conditions are described structurally here (for types and the
 * published JSON Schema); condition-validator.ts checks them first and gives the precise messages.
 */
const BUILT_IN_OPERATORS = [
  'equal',
  'notEqual',
  'in',
  'notIn',
  'contains',
  'doesNotContain',
  'lessThan',
  'lessThanInclusive',
  'greaterThan',
  'greaterThanInclusive',
]
const OPERATORS = [...BUILT_IN_OPERATORS, ...CUSTOM_OPERATORS.map((op) => op.name)] as [string, ...string[]]
/** The names of config `timeIntervals` (same syntax as namedTimeIntervalsSchema's keys). */
const INTERVAL_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/
const DECORATED = /^((someFact|someValue|everyFact|everyValue|swap|not):)+[A-Za-z]+$/

const operatorSchema = z
  .union([z.enum(OPERATORS), z.string().regex(DECORATED)])
  .describe(
    'json-rules-engine operator, or a decorated one like "not:in" / "someFact:equal". Custom: ' +
      CUSTOM_OPERATORS.map((op) => `${op.name} (${op.description})`).join('; '),
  )

const common = {
  priority: z
    .number()
    .min(1)
    .optional()
    .describe('Evaluation order hint (json-rules-engine); no effect on results.'),
  name: z.string().optional(),
}

const factCondition = z.strictObject({
  fact: z.string().min(1).describe('A top-level field of the event, e.g. "device_id" or "battery_level".'),
  operator: operatorSchema,
  value: z
    .unknown()
    .describe('The value to compare with, or {"fact": "...", "path": "..."} for another field.'),
  path: z.string().optional().describe('Into a nested object: "$.site", "$.a.b", "$.list[0]".'),
  params: z.record(z.string(), z.unknown()).optional(),
  ...common,
})

const conditionReference = z.strictObject({
  condition: z.string().describe('The name of an entry in "sharedConditions".'),
  ...common,
})

export const conditionSchema: z.ZodType<unknown> = z
  .lazy(() =>
    z.union([
      z.strictObject({ all: z.array(conditionSchema), ...common }),
      z.strictObject({ any: z.array(conditionSchema), ...common }),
      z.strictObject({ not: conditionSchema, ...common }),
      conditionReference,
      factCondition,
    ]),
  )
  .meta({ id: 'condition' })

export const topConditionSchema = z
  .union([
    z.strictObject({ all: z.array(conditionSchema), ...common }),
    z.strictObject({ any: z.array(conditionSchema), ...common }),
    z.strictObject({ not: conditionSchema, ...common }),
    conditionReference,
  ])
  .meta({ id: 'topCondition' }) as unknown as z.ZodType<TopCondition>

const eventTypes = z
  .array(
    z
      .string()
      .regex(
        EVENT_TYPE_PATTERN,
        'expected an event type like "lock.access_denied" or a prefix pattern like "lock.*"',
      ),
  )
  .min(1, 'eventTypes is empty: list at least one event type, e.g. "lock.access_denied" or "lock.*"')

export const ruleSchema = z
  .strictObject({
    $schema: z
      .string()
      .optional()
      .describe('"./schema.json": lets editors autocomplete and check this file.'),
    id: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'expected letters, digits, "_", "." or "-" (e.g. "low-battery")')
      .describe('Unique rule id; appears in alerts and in replay output.'),
    description: z.string().optional(),
    enabled: z.boolean().default(true),
    severity: z.enum(['info', 'warning', 'critical']).default('warning'),
    eventTypes: eventTypes.describe(
      'Event types that qualify: exact names or prefix patterns like "lock.*".',
    ),
    conditions: topConditionSchema.optional().describe('json-rules-engine conditions over the event fields.'),
    sharedConditions: z
      .record(z.string(), topConditionSchema)
      .optional()
      .describe('Named conditions this rule references with {"condition": "name"}.'),
    groupBy: z
      .array(z.string().min(1))
      .default([])
      .describe(
        'Event fields (or dotted paths like "device_custom_metadata.site") that key windows, throttles, absences and resolves; [] = one group.',
      ),
    window: z
      .strictObject({
        count: z.number().int().min(1).describe('Qualifying events of one group needed to fire.'),
        within: durationSchema.describe('...with occurred_at within this of the current one (inclusive).'),
        distinct: distinctField,
      })
      .optional(),
    absence: z
      .strictObject({
        eventTypes: eventTypes.describe('Events that cancel the timer opened by a qualifying event.'),
        conditions: topConditionSchema.optional(),
        within: durationSchema.describe('How long to wait for a cancelling event.'),
      })
      .optional(),
    firstSeen: firstSeenSchema.optional(),
    spike: spikeSchema.optional(),
    throttle: durationSchema
      .optional()
      .describe('After a fire, suppress fires of the same group for this long.'),
    resolve: z
      .strictObject({
        eventTypes: eventTypes.describe('Events that close an open incident of the same group.'),
        conditions: topConditionSchema.optional(),
      })
      .optional(),
    digest: z
      .strictObject({
        cron: cronSchema('invalid cron expression (e.g. "0 9 * * *" = daily at 09:00)'),
        timezone: timeZoneSchema.optional(),
      })
      .optional()
      .describe('Collect fires into a scheduled summary instead of sending each one.'),
    actions: z.array(actionSchema).default([]).describe('Where to send alerts.'),
    muteTimes: z
      .array(z.string().regex(INTERVAL_NAME, 'expected the name of a config "timeIntervals" entry'))
      .default([])
      .describe(
        'Names of config "timeIntervals": while the wall clock is inside one, this rule\'s alerts are held back (recorded, counted, summarised when it ends). Routing only: no effect on detection or rule state, ignored by replay.',
      ),
    inhibitedBy: z
      .array(inhibitRuleSchema)
      .default([])
      .describe(
        "While an incident of another rule is open and its labels equal this alert's on the listed names, this rule's alerts are held back. Routing only: no effect on detection or rule state.",
      ),
  })
  .superRefine((rule, ctx) => {
    if (rule.absence && rule.window)
      ctx.addIssue({
        code: 'custom',
        path: ['absence'],
        message:
          '"absence" cannot be combined with "window" (an absence fires on a missing event, not a count)',
      })
    for (const [index, entry] of rule.inhibitedBy.entries())
      if (entry.rule === rule.id)
        ctx.addIssue({
          code: 'custom',
          path: ['inhibitedBy', index, 'rule'],
          message: 'a rule cannot inhibit itself: name another rule',
        })
    for (const issue of fleetKindIssues(rule)) ctx.addIssue({ code: 'custom', ...issue })
  })

export type Rule = z.output<typeof ruleSchema>
export type RuleInput = z.input<typeof ruleSchema>
