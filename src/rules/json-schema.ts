import { z } from 'zod'
import { ruleSchema } from './rule-schema.js'

/** The JSON Schema of a rule file (input side: durations are strings), as published in rules/schema.json. */
export function ruleJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ruleSchema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' })
  return {
    ...schema,
    title: 'seam-alerts rule',
    description: 'One alerting rule for seam-alerts (rules/*.json).',
  }
}

/** The exact text of rules/schema.json. */
export function ruleJsonSchemaText(): string {
  return `${JSON.stringify(ruleJsonSchema(), null, 2)}\n`
}
