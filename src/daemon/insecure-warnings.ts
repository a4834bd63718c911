import { promises as fs } from 'node:fs'
import { type Config, configFileOf } from '../config.js'
import { jsonPath } from '../errors.js'
import type { Logger } from '../log.js'
import { configSecrets } from '../secrets/fields.js'

/** One insecure setting, as logged at start: a stable `check` name and a message that says what to do. */
export interface InsecureFinding {
  check: 'plain-http' | 'config-file-mode' | 'smtp-insecure-auth' | 'smtp-unverified-tls'
  message: string
}

/** A host name that can only mean this machine: `localhost`, `*.localhost`, 127.0.0.0/8, `::1`. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  if (host === 'localhost' || host.endsWith('.localhost') || host === '::1') return true
  return /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
}

/** `http://` to anything but loopback: the credential sent with every request travels unencrypted. */
function plainHttp(key: string, value: string, credential: string): InsecureFinding[] {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return []
  }
  if (url.protocol !== 'http:' || isLoopbackHost(url.hostname)) return []
  return [
    {
      check: 'plain-http',
      message: `${key} is http:// to ${url.hostname}, not loopback: the ${credential} and every answer travel unencrypted. Use https://`,
    },
  ]
}

/** Is this secret written in the file itself (not a `${VAR}` reference)? */
const isLiteral = (value: string): boolean => !/\$\{[A-Za-z_][A-Za-z0-9_]*\}/.test(value)

/**
 * What is insecure about this setup. `file` is the config file as written (parsed JSON, before `${VAR}`
 * expansion) with its permission bits, when the config came from a file.
 */
export function insecureFindings(
  config: Config,
  file?: { path: string; raw: unknown; mode: number },
): InsecureFinding[] {
  const found: InsecureFinding[] = [
    ...plainHttp('seam.endpoint', config.seam.endpoint, 'Seam API key'),
    ...(config.slack.token ? plainHttp('slack.apiUrl', config.slack.apiUrl, 'Slack bot token') : []),
  ]
  const smtp = config.email.smtp
  if (smtp?.auth && !smtp.secure && smtp.allowInsecureAuth) {
    found.push({
      check: 'smtp-insecure-auth',
      message:
        'email.smtp.allowInsecureAuth is true: the SMTP password is sent unencrypted to a server that offers no STARTTLS. Use "secure": true or a server with STARTTLS, and remove allowInsecureAuth',
    })
  }
  if (smtp?.tls?.rejectUnauthorized === false) {
    found.push({
      check: 'smtp-unverified-tls',
      message: `email.smtp.tls.rejectUnauthorized is false: the certificate of ${smtp.host} is not verified, so anyone in the path can read the mail${smtp.auth ? ' and the SMTP password' : ''}. Set email.smtp.tls.ca to trust a private CA instead`,
    })
  }
  if (file && (file.mode & 0o077) !== 0) {
    const literal = configSecrets(file.raw as Record<string, unknown>).filter((secret) =>
      isLiteral(secret.value),
    )
    if (literal.length > 0) {
      const paths = [...new Set(literal.map((secret) => jsonPath(secret.at)))].join(', ')
      const mode = (file.mode & 0o777).toString(8).padStart(4, '0')
      found.push({
        check: 'config-file-mode',
        message: `${file.path} holds a secret written in the file (${paths}) and is readable by other users (mode ${mode}). Run chmod 600 ${JSON.stringify(file.path)}, or use "\${VAR}" references to environment variables`,
      })
    }
  }
  return found
}

/** Log a warning at start for every insecure setting (never a secret value: only key paths). */
export async function warnInsecureSetup(logger: Logger, config: Config): Promise<InsecureFinding[]> {
  const path = configFileOf(config)
  let file: { path: string; raw: unknown; mode: number } | undefined
  if (path && process.platform !== 'win32') {
    try {
      const [stat, text] = await Promise.all([fs.stat(path), fs.readFile(path, 'utf8')])
      file = { path, raw: JSON.parse(text) as unknown, mode: stat.mode }
    } catch {
      file = undefined // parsed a moment ago; a file that changed since is checked on the next start
    }
  }
  const found = insecureFindings(config, file)
  for (const finding of found) logger.warn({ insecure: finding.check }, `insecure setup: ${finding.message}`)
  return found
}
