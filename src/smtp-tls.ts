import { z } from 'zod'

/**
 * `email.smtp.tls`: the safe subset of Node's TLS options nodemailer passes on. No client certificate or private
 * key (so nothing in here is a secret), and nothing that weakens the handshake beyond rejectUnauthorized, which
 * is logged as a warning at start when false.
 */
export const smtpTlsSchema = z
  .strictObject({
    rejectUnauthorized: z
      .boolean()
      .default(true)
      .describe(
        'false accepts a certificate that does not verify (self-signed, expired, other host name). Only for tests or a server you reach over a trusted network; logged as a warning at start. Prefer `ca`.',
      ),
    servername: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Host name the certificate must be valid for (SNI), when `host` is an IP address or an internal alias.',
      ),
    minVersion: z
      .enum(['TLSv1.2', 'TLSv1.3'])
      .default('TLSv1.2')
      .describe('Oldest TLS version accepted: "TLSv1.2" (default) or "TLSv1.3".'),
    ca: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Extra trusted CA certificate(s), PEM text ("-----BEGIN CERTIFICATE-----..."), for a server with a private CA; e.g. "${SMTP_CA_PEM}". Added to the system CAs.',
      ),
  })
  .optional()
  .describe(
    'TLS settings for the SMTP connection (direct TLS or STARTTLS): certificate checks, SNI name, minimum version, extra CA. Default: verified certificates, TLS 1.2 or newer.',
  )

interface SmtpTlsFields {
  secure: boolean
  auth?: unknown
  requireTLS?: boolean
  allowInsecureAuth?: boolean
}

/**
 * A login over a plain connection needs STARTTLS, unless allowInsecureAuth says otherwise: `requireTLS: false`
 * with `auth` and `secure: false` would send the password in the clear to a server without STARTTLS.
 */
export function checkSmtpTls(smtp: SmtpTlsFields, ctx: z.core.$RefinementCtx<SmtpTlsFields>): void {
  if (smtp.auth && !smtp.secure && smtp.requireTLS === false && !smtp.allowInsecureAuth) {
    ctx.addIssue({
      code: 'custom',
      path: ['requireTLS'],
      message:
        'false with "auth" and "secure": false would send the SMTP password unencrypted to a server without STARTTLS; remove it (STARTTLS is then required), or also set "allowInsecureAuth": true to accept that',
      input: smtp.requireTLS,
    })
  }
}

/** Whether nodemailer must insist on STARTTLS: as configured, else whenever a login would otherwise go in clear. */
export function smtpRequiresTls(smtp: SmtpTlsFields): boolean {
  if (smtp.secure) return false
  return smtp.requireTLS ?? (Boolean(smtp.auth) && !smtp.allowInsecureAuth)
}
