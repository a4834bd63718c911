import path from 'node:path'
import { z } from 'zod'
import { deliverySchema, duration, emailSchema, retentionSchema } from './config-sections.js'
import { durationSchema } from './duration.js'
import { cronSchema, timeZoneSchema } from './input/time-checks.js'
import { type InputFormat, readInputFile, validateValue, valueOrThrow } from './input/validate-input.js'
import { limitsSchema } from './limits.js'
import { actionSchema } from './rules/action-schema.js'
import { namedTimeIntervalsSchema } from './rules/time-interval-schema.js'
import { configSecretIssues } from './secrets/fields.js'

/** A Silence button's duration, kept as written (it is the button's label and value): "1h", "1d". */
const silenceChoice = z
  .string()
  .refine((text) => durationSchema.safeParse(text).success, 'expected a duration like "1h" or "1d"')
/** Slack allows 25 elements in an actions block; a handful of buttons is what fits on a phone. */
export const MAX_SILENCE_CHOICES = 5

const startFrom = z.union([
  z.literal('now'),
  z.string().refine((text) => !Number.isNaN(Date.parse(text)), 'expected "now" or an ISO 8601 time'),
])

/**
 * The config file. Every key has a `.describe()`: `npm run schema` turns them into config.schema.json (for
 * editors) and the key table of docs/configuration.md.
 */
export const configSchema = z.strictObject({
  $schema: z
    .string()
    .optional()
    .describe(
      '"./config.schema.json": lets editors autocomplete and check this file. Ignored by seam-alerts.',
    ),
  seam: z
    .strictObject({
      endpoint: z.url().default('https://connect.getseam.com').describe('Base URL of the Seam API.'),
      apiKey: z
        .string()
        .min(1)
        .optional()
        .describe(
          'Your Seam API key, e.g. "${SEAM_API_KEY}". When absent, the SEAM_API_KEY environment variable is used. Never logged.',
        ),
      pollInterval: duration('30s').describe('Time between polls.'),
      lookback: duration('5m').describe(
        'How far behind the last poll each poll re-reads, to catch events that become visible in the API a little after their created_at. Events already handed on are recognised by id and skipped.',
      ),
      startFrom: startFrom
        .default('now')
        .describe(
          'Where a daemon with no saved state begins: "now", or an ISO time such as "2026-01-01T00:00:00Z" to process history first. Nothing older is ever read, even by the lookback.',
        ),
      requestTimeout: duration('30s').describe('Longest wait for one HTTP answer (headers and body).'),
      pageSize: z
        .number()
        .int()
        .min(1)
        .max(500)
        .default(500)
        .describe('Events per page; 500 is also the maximum the API allows.'),
    })
    .prefault({})
    .describe('Reading events from the Seam API.'),
  rules: z
    .string()
    .default('./rules')
    .describe('Directory of rule files (`*.json`), watched for changes. Relative to the config file.'),
  state: z
    .string()
    .default('./state.json')
    .describe('The state file (cursor, incidents, outbox, dead letters). Relative to the config file.'),
  timezone: timeZoneSchema
    .default('UTC')
    .describe(
      'IANA time zone for times in messages, digest schedules without their own timezone, and the housekeeping cron.',
    ),
  absenceLateness: duration('1m').describe(
    'An absence timer fires only once the wall clock is past its deadline plus this allowance, so an event that becomes visible in the API a little late can still cancel it. Timers also never fire past the durable event cursor minus this allowance.',
  ),
  slack: z
    .strictObject({
      token: z
        .string()
        .min(1)
        .optional()
        .describe(
          'Slack bot token (`xoxb-...`), e.g. "${SLACK_BOT_TOKEN}". Needed for {"type": "slack", "channel": ...} actions.',
        ),
      apiUrl: z.url().default('https://slack.com/api/').describe('Slack Web API base URL (proxies, tests).'),
      appToken: z
        .string()
        .min(1)
        .optional()
        .describe(
          'Slack app-level token (`xapp-...`, scope connections:write), e.g. "${SLACK_APP_TOKEN}". When set, bot-token alerts carry Acknowledge and Silence buttons, clicks arrive over Socket Mode, and messages are edited as incidents move on (docs/slack-actions.md). A secret, never logged.',
        ),
      silenceChoices: z
        .array(silenceChoice)
        .min(1)
        .max(MAX_SILENCE_CHOICES)
        .refine((list) => new Set(list).size === list.length, 'expected each duration once')
        .default(['1h', '1d'])
        .describe(
          'The Silence buttons on alerts (with slack.appToken), one per duration, labelled "Silence <duration>"; at most 5.',
        ),
    })
    .prefault({})
    .describe('Slack Web API settings (bot token actions).'),
  email: emailSchema,
  pagerduty: z
    .strictObject({
      apiUrl: z
        .url({ protocol: /^https?$/ })
        .default('https://events.pagerduty.com/v2/enqueue')
        .describe('PagerDuty Events API v2 endpoint (EU accounts, proxies, tests).'),
    })
    .prefault({})
    .describe(
      'PagerDuty settings; the routing key is per action ({"type": "pagerduty", "routingKey": ...}).',
    ),
  heartbeat: z
    .strictObject({
      url: z
        .url({ protocol: /^https?$/ })
        .describe(
          'Dead man\'s switch URL (healthchecks.io, Cronitor, Better Stack), e.g. "${HEARTBEAT_URL}". A secret, never logged.',
        ),
      every: durationSchema
        .refine((ms) => ms >= 100, 'expected at least "100ms"')
        .describe('How often to call it while healthy, e.g. "1m".'),
      method: z.enum(['GET', 'POST']).default('GET').describe('HTTP method of each call.'),
      failSuffix: z
        .boolean()
        .default(false)
        .describe('While unhealthy, call "<url>/fail" every `every` instead of staying silent.'),
    })
    .optional()
    .describe(
      'Calls a URL every `every` while the daemon is healthy (last poll succeeded, cursor lag below monitor.lagAbove), so an outside service notices when seam-alerts is down.',
    ),
  console: z
    .boolean()
    .default(false)
    .describe(
      "Also print every alert (and meta-alert) to the terminal as a readable block, in addition to the rule's actions.",
    ),
  delivery: deliverySchema,
  retention: retentionSchema,
  housekeeping: z
    .strictObject({
      cron: cronSchema('not a valid cron expression (e.g. "*/5 * * * *")')
        .default('*/5 * * * *')
        .describe('node-cron schedule (5 fields, or 6 with seconds first) for pruning the state file.'),
      retryDeadLetters: z
        .boolean()
        .default(false)
        .describe(
          'When true, each housekeeping run moves all dead letters back to the outbox for another round of attempts.',
        ),
    })
    .prefault({})
    .describe('Periodic state pruning.'),
  server: z
    .union([
      z.literal(false),
      z.strictObject({
        host: z.string().default('127.0.0.1').describe('Address to listen on; "0.0.0.0" in a container.'),
        port: z
          .number()
          .int()
          .min(0)
          .max(65535)
          .default(9464)
          .describe('Port to listen on; 0 picks a free one.'),
        apiToken: z
          .string()
          .min(1)
          .optional()
          .describe(
            'Bearer token for writes to the local API (/api/v1: creating and expiring silences), e.g. "${SEAM_ALERTS_API_TOKEN}". Without it the API is read-only. A secret: never logged.',
          ),
      }),
    ])
    .default({ host: '127.0.0.1', port: 9464 })
    .describe('Where /healthz, /metrics and the local API (/api/v1) listen; false turns the listener off.'),
  monitor: z
    .strictObject({
      seamDownAfter: duration('5m').describe(
        'Send a meta-alert when the Seam API has been unreachable or erroring for longer than this, and a recovery when it works again.',
      ),
      lagAbove: duration('15m').describe(
        'Send a meta-alert when the event cursor is more than this behind the wall clock, and a recovery when it has caught up.',
      ),
      actions: z
        .array(actionSchema)
        .default([])
        .describe(
          'Where meta-alerts go: the same action objects as in rules (slack, email, console). With none, meta-alerts are only logged.',
        ),
    })
    .prefault({})
    .describe('Meta-alerts about seam-alerts itself.'),
  limits: limitsSchema,
  timeIntervals: namedTimeIntervalsSchema
    .default({})
    .describe(
      'Named time intervals (Alertmanager time_interval specs), e.g. {"business-hours": [{"weekdays": ["monday:friday"], "times": [{"start_time": "08:00", "end_time": "18:00"}], "location": "Europe/Berlin"}]}. Rules use them in muteTimes and the inTimeInterval operator.',
    ),
})

export type Config = z.infer<typeof configSchema>
export type ConfigInput = z.input<typeof configSchema>

/** The file each parsed config came from (kept off the object so it never shows in equality or logs). */
const sourceFiles = new WeakMap<Config, string>()

/** The file a config was parsed from (as given to parseConfig / loadConfig), if it came from one. */
export function configFileOf(config: Config): string | undefined {
  return sourceFiles.get(config)
}

/** Config files in the one input path (src/input/validate-input.ts). */
export const configFormat: InputFormat<typeof configSchema> = {
  schema: configSchema,
  noun: 'config file',
  jsonLabel: 'not valid JSON',
  unknownKeyAt: 'object',
  secrets: configSecretIssues,
}

const HINT = 'See config.example.json and docs/configuration.md.'

/** `SEAM_API_KEY` fills `seam.apiKey` when absent; relative `rules` and `state` resolve against the file's directory. */
function settle(config: Config, file: string, env: NodeJS.ProcessEnv): Config {
  if (!config.seam.apiKey && env.SEAM_API_KEY) config.seam.apiKey = env.SEAM_API_KEY
  const base = path.dirname(path.resolve(file))
  config.rules = path.resolve(base, config.rules)
  config.state = path.resolve(base, config.state)
  sourceFiles.set(config, file)
  return config
}

/**
 * Validate a parsed config object. `${ENV}` references are expanded first; `SEAM_API_KEY` fills `seam.apiKey`
 * when absent. Relative `rules` and `state` paths are resolved against the config file's directory.
 */
export function parseConfig(raw: unknown, file: string, env: NodeJS.ProcessEnv = process.env): Config {
  return settle(valueOrThrow(validateValue(configFormat, raw, file, env), 'CONFIG_INVALID', HINT), file, env)
}

/** Read, parse and validate a config file (see parseConfig). */
export async function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): Promise<Config> {
  return settle(valueOrThrow(await readInputFile(configFormat, file, env), 'CONFIG_INVALID', HINT), file, env)
}
