import type { AddressInfo } from 'node:net'
import { type ParsedMail, simpleParser } from 'mailparser'
import { SMTPServer } from 'smtp-server'

export interface SmtpStandIn {
  port: number
  messages: ParsedMail[]
  close(): Promise<void>
}

/** A real smtp-server on 127.0.0.1; `reject(nth)` returns an SMTP code to refuse the nth RCPT TO. */
export async function startSmtp(reject?: (nth: number) => number | undefined): Promise<SmtpStandIn> {
  const messages: ParsedMail[] = []
  let rcpt = 0
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
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
  return { port, messages, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}
