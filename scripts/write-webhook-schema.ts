import { writeFile } from 'node:fs/promises'
import { webhookBodyJsonSchemaText } from '../src/notify/webhook-body.js'

// `npm run schema`: regenerate docs/webhook-body.schema.json from the zod schema of the webhook body.
const target = new URL('../docs/webhook-body.schema.json', import.meta.url)
await writeFile(target, webhookBodyJsonSchemaText())
process.stdout.write(`wrote ${target.pathname}\n`)
