import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { configJsonSchemaText } from '../../src/config-json-schema.js'
import {
  configKeyRows,
  configKeyTable,
  keyTableIn,
  spliceKeyTable,
  TABLE_END,
  TABLE_START,
} from '../../src/config-key-table.js'
import { ruleJsonSchemaText } from '../../src/rules/json-schema.js'

const read = (file: string) => readFile(path.resolve(file), 'utf8')
const STALE = 'stale: run `npm run schema` and commit the result'

describe('generated schema files and the config key table are up to date', () => {
  it('config.schema.json', async () => {
    expect(await read('config.schema.json'), STALE).toBe(configJsonSchemaText())
  })

  it('rules/schema.json', async () => {
    expect(await read('rules/schema.json'), STALE).toBe(ruleJsonSchemaText())
  })

  it('the key table of docs/configuration.md', async () => {
    expect(keyTableIn(await read('docs/configuration.md')), STALE).toBe(configKeyTable())
  })

  it('config.example.json points editors at config.schema.json', async () => {
    expect(JSON.parse(await read('config.example.json')).$schema).toBe('./config.schema.json')
  })
})

describe('the config key table', () => {
  it('describes every key of the config schema', () => {
    const rows = configKeyRows()
    expect(rows.filter((row) => row.description.trim() === '').map((row) => row.key)).toEqual([])
    expect(rows.map((row) => row.key)).toEqual(
      expect.arrayContaining([
        '$schema',
        'seam.pollInterval',
        'email.smtp.auth.pass',
        'server.host',
        'monitor.actions',
      ]),
    )
  })

  it('shows types and defaults as written in the file', () => {
    const byKey = new Map(configKeyRows().map((row) => [row.key, row]))
    expect(byKey.get('seam.pollInterval')).toMatchObject({ type: 'duration', default: '`"30s"`' })
    expect(byKey.get('seam.pageSize')).toMatchObject({ type: 'integer 1–500', default: '`500`' })
    expect(byKey.get('server')).toMatchObject({ type: 'false or object' })
    expect(byKey.get('email.smtp.host')).toMatchObject({ default: 'required' })
    expect(byKey.get('monitor.actions')).toMatchObject({ type: 'array of actions', default: '`[]`' })
  })
})

describe('spliceKeyTable', () => {
  const table = '\n| new |\n'

  it('replaces only what is between the markers, keeping the prose around them byte for byte', () => {
    const before = '# Configuration\n\nProse a helper wrote.\r\n\n'
    const after = '\n\n## More prose\n\nWith `code` and a trailing line without newline'
    const doc = `${before}${TABLE_START}\n| old |\n${TABLE_END}${after}`
    expect(spliceKeyTable(doc, table)).toBe(`${before}${TABLE_START}${table}${TABLE_END}${after}`)
    expect(spliceKeyTable(spliceKeyTable(doc, table), table)).toBe(spliceKeyTable(doc, table))
  })

  it('creates the document with a heading, a sentence and the markers when there is none', () => {
    const created = spliceKeyTable(undefined, table)
    expect(created.startsWith('# Configuration\n\n')).toBe(true)
    expect(keyTableIn(created)).toBe(table)
  })

  it('appends the markers to a document that has none, leaving its text as it was', () => {
    const doc = '# Configuration\n\nNo table yet.\n'
    const spliced = spliceKeyTable(doc, table)
    expect(spliced.startsWith(doc)).toBe(true)
    expect(keyTableIn(spliced)).toBe(table)
  })
})
