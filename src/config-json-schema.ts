import { z } from 'zod'
import { configSchema } from './config.js'

/** The JSON Schema of a config file (input side: durations are strings), as published in config.schema.json. */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, {
    io: 'input',
    unrepresentable: 'any',
    target: 'draft-2020-12',
  })
  return {
    ...schema,
    title: 'seam-alerts config',
    description: 'The seam-alerts config file (config.json). Strings may use "${ENV_VAR}" references.',
  }
}

/** The exact text of config.schema.json. */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`
}
