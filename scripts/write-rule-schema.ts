import { writeFile } from 'node:fs/promises'
import { ruleJsonSchemaText } from '../src/rules/json-schema.js'

// `npm run schema`: regenerate rules/schema.json from the zod rule schema.
const target = new URL('../rules/schema.json', import.meta.url)
await writeFile(target, ruleJsonSchemaText())
process.stdout.write(`wrote ${target.pathname}\n`)
