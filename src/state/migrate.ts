import { SeamAlertsError } from '../errors.js'
import { STATE_VERSION } from './state-schema.js'

/** One step forward: takes the raw JSON of version `from` and returns the raw JSON of version `from + 1`. */
export interface Migration {
  from: number
  migrate(raw: Record<string, unknown>): Record<string, unknown>
}

/**
 * Every migration, oldest first. Version 1 is the first format, so the list is empty. When the format changes:
 * bump STATE_VERSION to 2 in state-schema.ts and add `{ from: 1, migrate: (v1) => ({ ...v1, version: 2, ... }) }`.
 */
export const MIGRATIONS: readonly Migration[] = []

/**
 * Why a state file cannot be brought to the current version (code STATE_CORRUPT: the daemon cannot use the file).
 * `newer` means a newer seam-alerts wrote it.
 */
export class MigrationError extends SeamAlertsError {
  readonly newer: boolean
  constructor(message: string, newer: boolean) {
    super('STATE_CORRUPT', message)
    this.name = 'MigrationError'
    this.newer = newer
  }
}

/**
 * Bring a raw (parsed, not yet validated) state object to `current`, one step at a time. A value without a
 * numeric `version` is returned unchanged for the schema to report. Throws MigrationError for a newer
 * version or a gap in the chain.
 */
export function migrateState(
  raw: unknown,
  migrations: readonly Migration[] = MIGRATIONS,
  current: number = STATE_VERSION,
): unknown {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return raw
  let value = raw as Record<string, unknown>
  const found = value.version
  if (typeof found !== 'number' || !Number.isInteger(found)) return raw
  let version = found
  if (version > current) {
    throw new MigrationError(
      `it was written by a newer seam-alerts (state version ${version}; this seam-alerts reads up to version ${current}). Upgrade seam-alerts to use this file`,
      true,
    )
  }
  while (version < current) {
    const step = migrations.find((m) => m.from === version)
    if (!step) {
      throw new MigrationError(
        `state version ${version} is too old: this seam-alerts cannot migrate it to version ${current}`,
        false,
      )
    }
    value = step.migrate(value)
    if (value.version !== version + 1) {
      throw new MigrationError(
        `the migration from version ${version} did not produce version ${version + 1}`,
        false,
      )
    }
    version += 1
  }
  return value
}
