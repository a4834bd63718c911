import { z } from 'zod'

/**
 * One entry of a rule's `inhibitedBy`: while an incident of `rule` is open and its labels equal this alert's on
 * every `equal` name, this rule's alerts are held back (src/noise/inhibit.ts decides).
 */
export const inhibitRuleSchema = z.strictObject({
  rule: z
    .string()
    .min(1)
    .describe('Id of the rule whose open incidents inhibit this one, e.g. "site-offline".'),
  equal: z
    .array(z.string().min(1))
    .default([])
    .describe('Label names whose values must be equal on both (absent on both counts as equal).'),
})

export type InhibitRule = z.output<typeof inhibitRuleSchema>
