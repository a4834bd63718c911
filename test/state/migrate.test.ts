import { describe, expect, it } from 'vitest'
import { type Migration, MigrationError, migrateState } from '../../src/state/migrate.js'

// A made-up chain to v3, to show how a future v2/v3 plugs in.
const chain: Migration[] = [
  { from: 1, migrate: (v1) => ({ ...v1, version: 2, renamed: v1.old, old: undefined }) },
  { from: 2, migrate: (v2) => ({ ...v2, version: 3, added: [] }) },
]

describe('migrateState', () => {
  it('leaves the current version alone', () => {
    const raw = { version: 1, source: { cursor: null, seen: {} } }
    expect(migrateState(raw)).toBe(raw)
  })

  it('migrates an older version forward one step at a time', () => {
    expect(migrateState({ version: 1, old: 'x' }, chain, 3)).toEqual({
      version: 3,
      renamed: 'x',
      old: undefined,
      added: [],
    })
    expect(migrateState({ version: 2, renamed: 'y' }, chain, 3)).toEqual({
      version: 3,
      renamed: 'y',
      added: [],
    })
  })

  it('refuses a newer version, saying to upgrade', () => {
    const error = (() => {
      try {
        migrateState({ version: 4 }, chain, 3)
      } catch (e) {
        return e
      }
    })() as MigrationError
    expect(error).toBeInstanceOf(MigrationError)
    expect(error.newer).toBe(true)
    expect(error.message).toMatch(/newer seam-alerts.*Upgrade seam-alerts/)
  })

  it('refuses a version with no path forward, and a migration that skips a version', () => {
    expect(() => migrateState({ version: 0 }, chain, 3)).toThrow(/too old/)
    const broken: Migration[] = [{ from: 1, migrate: (v) => ({ ...v, version: 3 }) }]
    expect(() => migrateState({ version: 1 }, broken, 3)).toThrow(/did not produce version 2/)
  })

  it('hands anything without a numeric version on for the schema to report', () => {
    expect(migrateState([1, 2])).toEqual([1, 2])
    expect(migrateState({ version: '1' })).toEqual({ version: '1' })
  })
})
