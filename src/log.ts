import pino, { type Logger } from 'pino'
import { redactPaths } from './secrets/definition.js'
import { REDACTED, scrubJsonLine } from './secrets/scrub.js'
import { terminalSafeDecodedJson, terminalSafeJson } from './terminal-text.js'

export type { Logger }

/**
 * Every path a secret can travel under, from the one definition (secrets/definition.ts). pino's redact works on
 * exact paths (with `*` wildcards); configured secret values are also scrubbed from every finished line, in any
 * field, message or error text (the `streamWrite` hook below).
 */
export const REDACT_PATHS: string[] = redactPaths()

export interface LogOptions {
  level?: string
  /** Where log lines go; defaults to stderr (stdout is kept for command output such as `replay`). */
  destination?: NodeJS.WritableStream
  /** Pretty output; defaults to on when stderr is a TTY. */
  pretty?: boolean
}

export function createLogger(options: LogOptions = {}): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? 'info'
  const base = {
    level,
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    // Secrets scrubbed; C1 controls and bidi overrides (event data) written as \uXXXX escapes (terminal-text.ts).
    hooks: { streamWrite: (line: string) => terminalSafeJson(scrubJsonLine(line)) },
  }
  if (options.destination) return pino(base, options.destination as pino.DestinationStream)
  const pretty = options.pretty ?? Boolean(process.stderr.isTTY)
  if (pretty) {
    return pino({
      ...base,
      // pino-pretty decodes each line before printing it: the characters must reach it as visible escapes.
      hooks: { streamWrite: prettyLine },
      transport: {
        target: 'pino-pretty',
        options: { destination: 2, colorize: true, translateTime: 'SYS:standard' },
      },
    })
  }
  return pino(base, pino.destination({ fd: 2, sync: false }))
}

/** A log line on its way to pino-pretty: secrets scrubbed, unsafe characters turned into visible `\uXXXX` text. */
export const prettyLine = (line: string): string => terminalSafeDecodedJson(scrubJsonLine(line))

/** A logger that drops everything (tests, library use). */
export const silentLogger: Logger = pino({ level: 'silent' })
