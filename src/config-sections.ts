import { z } from 'zod'
import { durationSchema } from './duration.js'
import { checkSmtpTls, smtpTlsSchema } from './smtp-tls.js'

/**
 * The config sections about sending and keeping alerts: `email`, `delivery`, `retention` (imported by config.ts,
 * which holds the rest). Every key has a `.describe()`: `npm run schema` turns them into config.schema.json and
 * the key table of docs/configuration.md.
 */

/** A duration key with its default, for every section of the config. */
export const duration = (fallback: string) => durationSchema.prefault(fallback)

export const emailSchema = z
  .strictObject({
    smtp: z
      .strictObject({
        host: z.string().min(1).describe('SMTP server host name.'),
        port: z.number().int().min(1).max(65535).default(587).describe('SMTP server port.'),
        secure: z
          .boolean()
          .default(false)
          .describe(
            'true: TLS from the start (port 465); false: plain connection, upgraded with STARTTLS when offered.',
          ),
        auth: z
          .strictObject({
            user: z.string().describe('SMTP user name.'),
            pass: z.string().describe('SMTP password, e.g. "${SMTP_PASSWORD}". Never logged.'),
          })
          .optional()
          .describe('SMTP login; omit for a server that needs none.'),
        requireTLS: z
          .boolean()
          .optional()
          .describe(
            'With secure false: refuse to go on unless the server upgrades the connection with STARTTLS. Default: true when auth is set (the password is never sent unencrypted), false otherwise.',
          ),
        allowInsecureAuth: z
          .boolean()
          .default(false)
          .describe(
            'true: with secure false and a server that offers no STARTTLS, send the login (user and password) unencrypted. Not recommended; a warning is logged at start.',
          ),
        tls: smtpTlsSchema,
      })
      .superRefine(checkSmtpTls)
      .optional()
      .describe('SMTP server (nodemailer options). Needed for email actions.'),
    from: z
      .string()
      .min(1)
      .optional()
      .describe('Sender address for email alerts, e.g. "Seam alerts <alerts@example.com>".'),
  })
  .prefault({})
  .describe('Email (SMTP) settings.')

export const deliverySchema = z
  .strictObject({
    maxAttempts: z
      .number()
      .int()
      .min(1)
      .default(8)
      .describe(
        'Attempts per alert and channel before a retryable failure is dead-lettered (permanent errors are dead-lettered at once).',
      ),
    backoff: duration('1s').describe('First retry delay; doubles each attempt, with jitter.'),
    maxBackoff: duration('5m').describe(
      "Cap on the backoff (a server's Retry-After is honoured even when longer).",
    ),
    slackPace: duration('1s').describe(
      'Minimum gap between two messages to the same Slack channel or webhook.',
    ),
    rollupAbove: z
      .number()
      .int()
      .min(2)
      .default(10)
      .describe(
        'Alert storms: more alerts than this of one rule waiting for one target are sent as one rolled-up message listing every event_id.',
      ),
    rollupWindow: duration('1m').describe(
      'While a storm lasts, further alerts of that rule and target are collected this long and rolled up again.',
    ),
  })
  .prefault({})
  .describe('Retries, dead letters, pacing and storm rollup.')

export const retentionSchema = z
  .strictObject({
    sent: duration('7d').describe(
      'How long sent-alert records are kept (they prevent duplicates and thread resolves under their alert).',
    ),
    sentMax: z
      .number()
      .int()
      .min(0)
      .default(10_000)
      .describe('At most this many sent-alert records (newest kept).'),
    deadLetters: duration('30d').describe(
      'How long dead letters are kept for `seam-alerts state dead-letters`.',
    ),
    deadLettersMax: z
      .number()
      .int()
      .min(0)
      .default(10_000)
      .describe('At most this many dead letters (newest kept).'),
    deviceNames: duration('1d').describe(
      'How long a looked-up device name is cached before it is fetched again.',
    ),
    history: duration('30d').describe(
      'How long alert history entries (sent, silenced, muted, inhibited, rolled up, dead-lettered) are kept.',
    ),
    historyMax: z
      .number()
      .int()
      .min(0)
      .default(10_000)
      .describe('At most this many alert history entries (newest kept).'),
    silences: duration('7d').describe('How long an expired silence is kept (for `silence list --expired`).'),
  })
  .prefault({})
  .describe('What the state file keeps, and for how long.')
