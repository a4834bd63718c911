import { promises as fs } from 'node:fs'
import path from 'node:path'
import { loadConfig } from '../../config.js'
import { hasCode, SeamAlertsError } from '../../errors.js'
import { DEFAULT_STATE_FILE_MAX, limitsSchema } from '../../limits.js'
import { canonicalStatePath } from '../../state/lock.js'

/** What the `silence` and `history` commands need from the config. */
export interface NoiseCliSettings {
  configFile: string
  /** The real state file (symlinks resolved), as the daemon locks it. */
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
    const settings: NoiseCliSettings = {
      configFile,
      stateFile: await canonicalStatePath(config.state),
      maxBytes: config.limits.stateFileMax,
      server: config.server === false ? false : { host: config.server.host, port: config.server.port },
    }
    if (config.server !== false && config.server.apiToken) settings.apiToken = config.server.apiToken
    return settings
  } catch (error) {
    if (!hasCode(error, 'CONFIG_ENV_MISSING')) throw error
    return fallback(configFile, error)
  }
}

const literal = (value: unknown): value is string => typeof value === 'string' && !value.includes('${')

async function fallback(configFile: string, error: SeamAlertsError): Promise<NoiseCliSettings> {
  const raw = JSON.parse(await fs.readFile(configFile, 'utf8')) as Record<string, unknown>
  const state = literal(raw.state) ? raw.state : './state.json'
  const limits = limitsSchema.safeParse(raw.limits)
  const server = raw.server as Record<string, unknown> | false | undefined
  const settings: NoiseCliSettings = {
    configFile,
    stateFile: await canonicalStatePath(path.resolve(path.dirname(configFile), state)),
    maxBytes: limits.success ? limits.data.stateFileMax : DEFAULT_STATE_FILE_MAX,
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
