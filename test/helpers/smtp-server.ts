import type { AddressInfo } from 'node:net'
import { type ParsedMail, simpleParser } from 'mailparser'
import { SMTPServer } from 'smtp-server'

export interface SmtpStandIn {
  port: number
  messages: ParsedMail[]
  /** Every AUTH the server received: the password as it arrived, and whether the connection was TLS then. */
  logins: Array<{ username: string; password: string; secure: boolean }>
  close(): Promise<void>
}

export interface SmtpStandInOptions {
  /** Offer AUTH (PLAIN/LOGIN): logins are recorded and accepted. Default off. */
  auth?: boolean
  /** Offer STARTTLS (smtp-server's bundled self-signed certificate). Default off. */
  starttls?: boolean
}

/**
 * A real smtp-server on 127.0.0.1; `reject(nth)` returns an SMTP code to refuse the nth RCPT TO. With `auth` and
 * without `starttls` it is a server that takes a password over a plain connection (as a careless one does).
 */
export async function startSmtp(
  reject?: (nth: number) => number | undefined,
  options: SmtpStandInOptions = {},
): Promise<SmtpStandIn> {
  const messages: ParsedMail[] = []
  const logins: SmtpStandIn['logins'] = []
  let rcpt = 0
  const disabled = [...(options.starttls ? [] : ['STARTTLS']), ...(options.auth ? [] : ['AUTH'])]
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: disabled,
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, session, callback) {
      logins.push({
        username: auth.username ?? '',
        password: auth.password ?? '',
        secure: Boolean(session.secure),
      })
      callback(null, { user: auth.username })
    },
    logger: false,
    onRcptTo(_address, _session, callback) {
      rcpt++
      const code = reject?.(rcpt)
      if (code) {
        const error = new Error(code >= 500 ? 'mailbox unavailable' : 'try again later') as Error & {
          responseCode: number
        }
        error.responseCode = code
        callback(error)
        return
      }
      callback()
    },
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          messages.push(mail)
          callback()
        },
        (error: Error) => callback(error),
      )
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.server.address() as AddressInfo).port
  return {
    port,
    messages,
    logins,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
