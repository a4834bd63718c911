import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { configJsonSchemaText } from '../src/config-json-schema.js'
import { spliceKeyTable } from '../src/config-key-table.js'

// `npm run schema` (with write-rule-schema.ts): regenerate config.schema.json and the key table between the
// `<!-- config-keys:start -->` / `<!-- config-keys:end -->` markers of docs/configuration.md from the zod config
// schema. Everything outside the markers is left as it is.
const schemaFile = new URL('../config.schema.json', import.meta.url)
await writeFile(schemaFile, configJsonSchemaText())
process.stdout.write(`wrote ${schemaFile.pathname}\n`)

const docFile = new URL('../docs/configuration.md', import.meta.url)
const doc = await readFile(docFile, 'utf8').catch((error: NodeJS.ErrnoException) => {
  if (error.code === 'ENOENT') return undefined
  throw error
})
await mkdir(new URL('.', docFile), { recursive: true })
await writeFile(docFile, spliceKeyTable(doc))
process.stdout.write(`wrote the key table in ${docFile.pathname}\n`)
