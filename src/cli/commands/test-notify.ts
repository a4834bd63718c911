import type { Command } from 'commander'
import { type Config, loadConfig, parseConfig } from '../../config.js'
import { errorMessage } from '../../errors.js'
import { type InputFormat, validateText, valueOrThrow } from '../../input/validate-input.js'
import { createLogger } from '../../log.js'
import { channelKind, missingChannelReason, sendSignal } from '../../notify/channels.js'
import { createNotifiers } from '../../notify/create-notifiers.js'
import { DeliveryError } from '../../notify/notifier.js'
import { sampleAlert } from '../../notify/sample-alert.js'
import { type Action, actionSchema } from '../../rules/action-schema.js'
import { checkActionSecrets } from '../../secrets/fields.js'
import { scrubSecrets } from '../../secrets/scrub.js'
import { terminalSafe } from '../../terminal-text.js'

export interface TestNotifyIo {
  stdout: NodeJS.WritableStream
  stderr: NodeJS.WritableStream
  env: NodeJS.ProcessEnv
  now: () => number
}

/** `--action` arguments in the one input path: validated like an action in a rule file. */
const actionFormat: InputFormat<typeof actionSchema> = {
  schema: actionSchema,
  noun: 'action',
  jsonLabel: 'invalid JSON',
  unknownKeyAt: 'key',
  secrets: (expanded, action, file) => checkActionSecrets([expanded], [action], [], file),
}

/** Parse and validate `--action '<json>'` (`${ENV}` references expanded, like in rule files). */
export function parseActionArg(text: string, env: NodeJS.ProcessEnv): Action {
  return valueOrThrow(
    validateText(actionFormat, text, '--action', env),
    'USAGE',
    'Example: --action \'{"type":"slack","channel":"#alerts"}\'',
  )
}

export async function testNotify(
  options: { action: string; config?: string },
  io: TestNotifyIo,
): Promise<number> {
  const action = parseActionArg(options.action, io.env)
  const config: Config = options.config
    ? await loadConfig(options.config, io.env)
    : parseConfig({}, 'defaults', io.env)
  const logger = createLogger({ destination: io.stderr, pretty: false, level: io.env.LOG_LEVEL ?? 'warn' })
  const notifiers = createNotifiers(config, { logger, consoleStream: io.stdout })
  const kind = channelKind(action)
  const notifier = notifiers[kind]
  if (!notifier) {
    io.stdout.write(`test-notify: cannot send via ${kind}: ${missingChannelReason(kind)}\n`)
    return 1
  }
  try {
    const receipt = await notifier.send(sampleAlert(action, config.timezone, io.now()), sendSignal(kind))
    const where = receipt.channel ? ` to ${receipt.channel}` : ''
    const ref = receipt.ref ? ` (ref ${receipt.ref})` : ''
    io.stdout.write(`test-notify: sent via ${kind}${where}${ref}\n`)
    if (!receipt.refused) return 0
    const { recipients, reason } = receipt.refused
    io.stdout.write(
      `test-notify: but the server REFUSED ${terminalSafe(`${recipients.join(', ')}: ${scrubSecrets(reason)}`)}\n`,
    )
    return 1
  } catch (error) {
    const failure = error instanceof DeliveryError ? error : undefined
    const label = failure ? (failure.retryable ? 'retryable' : 'permanent') : 'unexpected'
    io.stdout.write(`test-notify: FAILED via ${kind}: ${terminalSafe(errorMessage(error))} (${label})\n`)
    return 1
  } finally {
    ;(notifier as { close?: () => void }).close?.()
  }
}

/** `seam-alerts test-notify --action '<json>' [--config FILE]`: send a sample alert through a real channel. */
export function register(program: Command, io?: Partial<TestNotifyIo>): void {
  program
    .command('test-notify')
    .description(
      'Send a sample alert through one action (check a Slack token, SMTP settings, a PagerDuty routing key, a webhook or a Teams URL)',
    )
    .requiredOption('--action <json>', 'the action as JSON, e.g. \'{"type":"slack","channel":"#alerts"}\'')
    .option('--config <file>', 'config file with the slack/email/pagerduty settings')
    .action(async (opts: { action: string; config?: string }) => {
      const code = await testNotify(opts, {
        stdout: io?.stdout ?? process.stdout,
        stderr: io?.stderr ?? process.stderr,
        env: io?.env ?? process.env,
        now: io?.now ?? Date.now,
      })
      process.exitCode = code
    })
}
