import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../../src/config.js'
import { configSecrets } from '../../../src/secrets/fields.js'
import { scrubSecrets } from '../../../src/secrets/scrub.js'
import { describeStateSetting, isPostgresUrl, pgTarget } from '../../../src/state/postgres/target.js'

const FILE = path.resolve('/srv/seam/config.json')
const parse = (raw: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) => parseConfig(raw, FILE, env)
const failure = (raw: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) => {
  try {
    parse(raw, env)
  } catch (error) {
    return (error as Error).message
  }
  throw new Error('expected the config to be refused')
}

describe('state: a file path or a PostgreSQL URL', () => {
  it('keeps a URL as written (after ${VAR}), resolves a path against the config file', () => {
    const url = 'postgres://seam:${PGPASSWORD}@db.internal:5433/alerts?sslmode=require'
    const config = parse({ state: url }, { PGPASSWORD: 'pg-pass-0c41aa' })
    expect(config.state).toBe('postgres://seam:pg-pass-0c41aa@db.internal:5433/alerts?sslmode=require')
    expect(config.postgres).toEqual({ schema: 'seam_alerts', connectTimeout: 10_000, queryTimeout: 30_000 })
    expect(parse({ state: 'postgresql://h/db' }).state).toBe('postgresql://h/db')
    expect(parse({ state: './data/state.json' }).state).toBe(path.resolve('/srv/seam/data/state.json'))
  })

  it('treats the password as a secret: remembered for scrubbing, while a file path is no secret', () => {
    const config = parse({ state: 'postgres://seam:pg-pass-7d2e9b@db/alerts' })
    expect(configSecrets(config).map((found) => found.at.join('.'))).toContain('state')
    expect(scrubSecrets('login pg-pass-7d2e9b failed')).toBe('login [redacted] failed')
    expect(configSecrets(parse({ state: './state.json' })).map((found) => found.at.join('.'))).not.toContain(
      'state',
    )
  })

  it('refuses a malformed URL without echoing it, and a schema that is not a plain identifier', () => {
    const message = failure({ state: 'postgres://seam:pw-echo-99@[bad/alerts' })
    expect(message).toMatch(/\$\.state: expected a PostgreSQL URL/)
    expect(message).not.toContain('pw-echo-99')
    expect(failure({ postgres: { schema: 'Seam-Alerts' } })).toMatch(
      /\$\.postgres\.schema: expected a plain lower-case SQL identifier/,
    )
    expect(failure({ postgres: { schema: 'x; DROP TABLE y' } })).toMatch(/\$\.postgres\.schema/)
  })

  it('describes a URL by host, port and database, with the password redacted', () => {
    expect(isPostgresUrl('POSTGRESQL://h/d')).toBe(true)
    expect(isPostgresUrl('./postgres://x')).toBe(false)
    const target = pgTarget('postgres://u%40corp:p%2Fw@db.internal/alerts')
    expect(target).toMatchObject({
      host: 'db.internal',
      port: 5432,
      database: 'alerts',
      user: 'u@corp',
      password: 'p/w',
    })
    expect(target.label).toBe('db.internal:5432/alerts')
    expect(describeStateSetting('postgres://u:secret-pw@h:1/d')).toBe('postgres://u:[redacted]@h:1/d')
    expect(describeStateSetting('/var/lib/seam/state.json')).toBe('/var/lib/seam/state.json')
  })
})
