import nodemailer from 'nodemailer'
import type { Config } from '../config.js'
import { errorText } from '../error-text.js'
import { smtpRequiresTls } from '../smtp-tls.js'
import { SEND_TIMEOUT_MS, sendSignal } from './channels.js'
import { classifyEmailError } from './email-errors.js'
import { headerSafe } from './escape.js'
import { buildAlertContent } from './message.js'
import { type AlertMessage, DeliveryError, type DeliveryReceipt, type Notifier } from './notifier.js'
import { renderHtml } from './render-html.js'
import { renderText } from './render-text.js'

/** What the notifier needs from a nodemailer transporter (injectable for tests). */
export interface MailTransport {
  sendMail(mail: Record<string, unknown>): Promise<{
    messageId?: string
    rejected?: unknown[]
    rejectedErrors?: Array<{ response?: string; message?: string }>
  }>
  close?(): void
}

type ParsedSmtp = NonNullable<Config['email']['smtp']>
/** `email.smtp` as parsed (allowInsecureAuth may be left out: false). */
export type SmtpOptions = Omit<ParsedSmtp, 'allowInsecureAuth'> & { allowInsecureAuth?: boolean }

export interface EmailNotifierOptions {
  transport?: MailTransport
  smtp?: SmtpOptions
  from: string
}

/** A stable Message-ID per alert: `<alertId@seam-alerts>`, alertId encoded to valid dot-atom characters. */
export function messageIdFor(alertId: string): string {
  const local = alertId.replace(
    /[^A-Za-z0-9_-]/g,
    (c) => `=${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  )
  return `<${local}@seam-alerts>`
}

/** Email over SMTP with nodemailer: subject, text and HTML bodies, threading headers on a resolve. */
export class EmailNotifier implements Notifier {
  private readonly transport: MailTransport
  private readonly from: string

  constructor(options: EmailNotifierOptions) {
    this.from = headerSafe(options.from)
    if (options.transport) this.transport = options.transport
    else if (options.smtp) {
      const timeout = SEND_TIMEOUT_MS.email
      this.transport = nodemailer.createTransport({
        host: options.smtp.host,
        port: options.smtp.port,
        secure: options.smtp.secure,
        auth: options.smtp.auth,
        // A login never goes unencrypted unless allowInsecureAuth says so (config.ts checks requireTLS: false).
        requireTLS: smtpRequiresTls(options.smtp),
        ...(options.smtp.tls ? { tls: { ...options.smtp.tls } } : {}),
        connectionTimeout: timeout,
        greetingTimeout: timeout,
        socketTimeout: timeout,
      }) as unknown as MailTransport
    } else throw new Error('EmailNotifier needs a transport or smtp settings')
  }

  /** `signal` ends the SMTP conversation in flight (nodemailer closes the connection). */
  async send(message: AlertMessage, signal: AbortSignal = sendSignal('email')): Promise<DeliveryReceipt> {
    if (message.action.type !== 'email') {
      throw new DeliveryError('email: not an email action', { retryable: false })
    }
    const content = buildAlertContent(message)
    const state = content.kind === 'resolve' ? 'RESOLVED' : content.severity.toUpperCase()
    const subject = headerSafe(`[${state}] ${content.title((text) => text)}`)
    const messageId = messageIdFor(message.id)
    const replyTo = message.replyTo ? headerSafe(message.replyTo) : undefined
    const mail: Record<string, unknown> = {
      from: this.from,
      to: message.action.to.map(headerSafe),
      subject,
      text: renderText(content),
      html: renderHtml(content),
      messageId,
      headers: {
        'X-Seam-Alerts-Rule': headerSafe(content.ruleId),
        'X-Seam-Alerts-Event-Id': headerSafe(content.eventId),
      },
    }
    if (message.action.cc?.length) mail.cc = message.action.cc.map(headerSafe)
    if (replyTo) {
      mail.inReplyTo = replyTo
      mail.references = [replyTo]
    }
    let info: Awaited<ReturnType<MailTransport['sendMail']>>
    try {
      info = await this.transport.sendMail({ ...mail, signal })
    } catch (error) {
      throw classifyEmailError(error) // every recipient refused lands here too (nodemailer's EENVELOPE)
    }
    const refused = (info.rejected ?? []).map((address) =>
      typeof address === 'string' ? address : String((address as { address?: unknown }).address ?? address),
    )
    if (refused.length === 0) return { ref: messageId }
    const first = info.rejectedErrors?.[0]
    const reason = errorText(
      (first?.response ?? first?.message ?? 'refused by the server').replace(/\s+/g, ' ').trim(),
    )
    return { ref: messageId, refused: { recipients: refused, reason } }
  }

  close(): void {
    this.transport.close?.()
  }
}
