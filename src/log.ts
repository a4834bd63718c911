import pino, { type Logger } from 'pino'

export type { Logger }

/**
 * Every path a secret can travel under. pino's redact works on exact paths (with `*` wildcards),
 * so the common shapes are listed at the top level and one level down.
 */
export const REDACT_PATHS: string[] = [
  'apiKey',
  '*.apiKey',
  'seam.apiKey',
  'token',
  '*.token',
  'slack.token',
  'password',
  '*.password',
  'pass',
  '*.pass',
  'auth.pass',
  '*.auth.pass',
  'email.smtp.auth.pass',
  'smtp.auth.pass',
  'webhookUrl',
  '*.webhookUrl',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'req.headers.authorization',
  'config.seam.apiKey',
  'config.slack.token',
  'config.email.smtp.auth.pass',
]

export interface LogOptions {
  level?: string
  /** Where log lines go; defaults to stderr (stdout is kept for command output such as `replay`). */
  destination?: NodeJS.WritableStream
  /** Pretty output; defaults to on when stderr is a TTY. */
  pretty?: boolean
}

export function createLogger(options: LogOptions = {}): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? 'info'
  const base = { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }
  if (options.destination) return pino(base, options.destination as pino.DestinationStream)
  const pretty = options.pretty ?? Boolean(process.stderr.isTTY)
  if (pretty) {
    return pino({
      ...base,
      transport: {
        target: 'pino-pretty',
        options: { destination: 2, colorize: true, translateTime: 'SYS:standard' },
      },
    })
  }
  return pino(base, pino.destination({ fd: 2, sync: false }))
}

/** A logger that drops everything (tests, library use). */
export const silentLogger: Logger = pino({ level: 'silent' })
