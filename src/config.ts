import { readFile } from 'node:fs/promises'
import path from 'node:path'
import cron from 'node-cron'
import { z } from 'zod'
import { durationSchema } from './duration.js'
import { InputError } from './errors.js'
import { limitsSchema } from './limits-schema.js'
import { actionSchema } from './rules/action-schema.js'
import { validateInput } from './validate-input.js'

const duration = (fallback: string) => durationSchema.prefault(fallback)

/** Does this runtime know the IANA zone? (`Intl` throws a RangeError for an unknown one.) */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone })
    return true
  } catch {
    return false
  }
}

const startFrom = z.union([
  z.literal('now'),
  z.string().refine((text) => !Number.isNaN(Date.parse(text)), 'expected "now" or an ISO 8601 time'),
])

export const configSchema = z
  .object({
    seam: z
      .object({
        endpoint: z.string().url().default('https://connect.getseam.com'),
        apiKey: z.string().min(1).optional(),
        pollInterval: duration('30s'),
        lookback: duration('5m'),
        startFrom: startFrom.default('now'),
        requestTimeout: duration('30s'),
        pageSize: z.number().int().min(1).max(500).default(500),
      })
      .strict()
      .prefault({}),
    rules: z.string().default('./rules'),
    state: z.string().default('./state.json'),
    timezone: z.string().refine(isTimeZone, 'unknown IANA time zone (e.g. "Europe/Berlin")').default('UTC'),
    absenceLateness: duration('1m'),
    slack: z
      .object({
        token: z.string().min(1).optional(),
        apiUrl: z.string().url().default('https://slack.com/api/'),
      })
      .strict()
      .prefault({}),
    email: z
      .object({
        smtp: z
          .object({
            host: z.string().min(1),
            port: z.number().int().min(1).max(65535).default(587),
            secure: z.boolean().default(false),
            auth: z.object({ user: z.string(), pass: z.string() }).strict().optional(),
          })
          .strict()
          .optional(),
        from: z.string().min(1).optional(),
      })
      .strict()
      .prefault({}),
    console: z.boolean().default(false).describe('Print alerts to the terminal as readable blocks.'),
    delivery: z
      .object({
        maxAttempts: z.number().int().min(1).default(8),
        backoff: duration('1s'),
        maxBackoff: duration('5m'),
        slackPace: duration('1s'),
        rollupAbove: z.number().int().min(2).default(10),
        rollupWindow: duration('1m'),
      })
      .strict()
      .prefault({}),
    retention: z
      .object({
        sent: duration('7d'),
        sentMax: z.number().int().min(0).default(10_000),
        deadLetters: duration('30d'),
        deadLettersMax: z.number().int().min(0).default(10_000),
        deviceNames: duration('1d'),
      })
      .strict()
      .prefault({}),
    housekeeping: z
      .object({
        cron: z
          .string()
          .refine((text) => cron.validate(text), 'not a valid cron expression (e.g. "*/5 * * * *")')
          .default('*/5 * * * *'),
        retryDeadLetters: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    server: z
      .union([
        z.literal(false),
        z
          .object({
            host: z.string().default('127.0.0.1'),
            port: z.number().int().min(0).max(65535).default(9464),
          })
          .strict(),
      ])
      .default({ host: '127.0.0.1', port: 9464 }),
    monitor: z
      .object({
        seamDownAfter: duration('5m'),
        lagAbove: duration('15m'),
        actions: z.array(actionSchema).default([]),
      })
      .strict()
      .prefault({}),
    limits: limitsSchema,
  })
  .strict()

export type Config = z.infer<typeof configSchema>
export type ConfigInput = z.input<typeof configSchema>

/** The file each parsed config came from (kept off the object so it never shows in equality or logs). */
const sourceFiles = new WeakMap<Config, string>()

/** The file a config was parsed from (as given to parseConfig / loadConfig), if it came from one. */
export function configFileOf(config: Config): string | undefined {
  return sourceFiles.get(config)
}

/**
 * Validate a parsed config object. `${ENV}` references are expanded first; `SEAM_API_KEY` fills `seam.apiKey`
 * when absent. Relative `rules` and `state` paths are resolved against the config file's directory.
 */
export function parseConfig(raw: unknown, file: string, env: NodeJS.ProcessEnv = process.env): Config {
  const config = validateInput(configSchema, raw, {
    file,
    env,
    code: 'CONFIG_INVALID',
    hint: 'See config.example.json and the Configuration section of the README.',
  })
  if (!config.seam.apiKey && env.SEAM_API_KEY) config.seam.apiKey = env.SEAM_API_KEY
  const base = path.dirname(path.resolve(file))
  config.rules = path.resolve(base, config.rules)
  config.state = path.resolve(base, config.state)
  sourceFiles.set(config, file)
  return config
}

export async function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): Promise<Config> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    throw new InputError('CONFIG_INVALID', [
      {
        file,
        path: '$',
        message: `cannot read the config file (${(error as NodeJS.ErrnoException).code ?? error})`,
      },
    ])
  }
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (error) {
    throw new InputError('CONFIG_INVALID', [
      { file, path: '$', message: `not valid JSON: ${(error as Error).message}` },
    ])
  }
  return parseConfig(raw, file, env)
}
