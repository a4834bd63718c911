import { promises as fs } from 'node:fs'
import path from 'node:path'
import { loadConfig } from '../../config.js'
import { hasCode, SeamAlertsError } from '../../errors.js'
import { DEFAULT_STATE_FILE_MAX, limitsSchema } from '../../limits.js'
import {
  locate,
  locateFromConfig,
  rawPostgresSection,
  rawStateSetting,
  type StateLocation,
} from '../state/location.js'

/** What the `silence` and `history` commands need from the config. */
export interface NoiseCliSettings {
  configFile: string
  /** Where the state is: the real state file (symlinks resolved, as the daemon locks it) or a database. */
  state: StateLocation
  /** The state as messages name it: the file, or the database URL without its password. */
  stateFile: string
  maxBytes: number
  /** `server` (false: no local API). */
  server: false | { host: string; port: number }
  /** `server.apiToken`, when configured and its `${ENV}` reference is set. */
  apiToken?: string
  /** Why the config could not be read whole (a `${VAR}` that is not set): named when a write needs the token. */
  envProblem?: string
}

/**
 * Read the config. A config whose `${ENV}` references are unset (the CLI may run without the daemon's
 * environment) still names its state file and server: those are read as written, and the token only when it
 * is a literal; `envProblem` says which variables were missing.
 */
export async function readNoiseSettings(
  configOption: string | undefined,
  cwd: string,
  env: NodeJS.ProcessEnv,
) {
  const configFile = path.resolve(cwd, configOption ?? 'config.json')
  try {
    const config = await loadConfig(configFile, env)
    const state = await locateFromConfig(config)
    const settings: NoiseCliSettings = {
      configFile,
      state,
      stateFile: state.label,
      maxBytes: config.limits.stateFileMax,
      server: config.server === false ? false : { host: config.server.host, port: config.server.port },
    }
    if (config.server !== false && config.server.apiToken) settings.apiToken = config.server.apiToken
    return settings
  } catch (error) {
    if (!hasCode(error, 'CONFIG_ENV_MISSING')) throw error
    return fallback(configFile, error, env)
  }
}

const literal = (value: unknown): value is string => typeof value === 'string' && !value.includes('${')

async function fallback(
  configFile: string,
  error: SeamAlertsError,
  env: NodeJS.ProcessEnv,
): Promise<NoiseCliSettings> {
  const raw = JSON.parse(await fs.readFile(configFile, 'utf8')) as Record<string, unknown>
  const limits = limitsSchema.safeParse(raw.limits)
  const maxBytes = limits.success ? limits.data.stateFileMax : DEFAULT_STATE_FILE_MAX
  const state = await locate(rawStateSetting(raw, configFile, env, error), {
    postgres: rawPostgresSection(raw),
    maxBytes,
  })
  const server = raw.server as Record<string, unknown> | false | undefined
  const settings: NoiseCliSettings = {
    configFile,
    state,
    stateFile: state.label,
    maxBytes,
    server:
      server === false
        ? false
        : {
            host: literal(server?.host) ? server.host : '127.0.0.1',
            port: typeof server?.port === 'number' ? server.port : 9464,
          },
    envProblem: error.message,
  }
  if (server && literal(server.apiToken) && server.apiToken) settings.apiToken = server.apiToken
  return settings
}

export const usageError = (message: string) => new SeamAlertsError('USAGE', message)
