import { terminalSafe } from '../terminal-text.js'
import { buildAlertContent } from './message.js'
import type { AlertMessage, DeliveryReceipt, Notifier } from './notifier.js'
import { renderText } from './render-text.js'

/** A readable multi-line block per alert, to a stream (the terminal in the sandbox, stdout in test-notify). */
export class ConsoleNotifier implements Notifier {
  private readonly stream: NodeJS.WritableStream
  constructor(options: { stream?: NodeJS.WritableStream } = {}) {
    this.stream = options.stream ?? process.stdout
  }

  async send(message: AlertMessage, signal?: AbortSignal): Promise<DeliveryReceipt> {
    signal?.throwIfAborted()
    const text = renderText(buildAlertContent(message))
    const rule = '─'.repeat(60)
    // renderText already made every value plainSafe; the whole block once more, as it goes to a terminal.
    this.stream.write(terminalSafe(`${rule}\n${text}\n${rule}\n`))
    return { ref: message.id }
  }
}
