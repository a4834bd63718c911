import { type Command, CommanderError } from 'commander'
import { SeamAlertsError } from '../../errors.js'
import { scrubSecrets } from '../../secrets/scrub.js'

/** sysexits.h EX_USAGE: a bad flag or value (an invalid matcher, a missing --comment). */
export const EXIT_USAGE = 64

/** A failure of a `silence` / `history` command with its exit code (1 unless it is a usage error). */
export class CliFailure extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message)
  }
}

export const usage = (message: string) => new CliFailure(message, EXIT_USAGE)

/**
 * Run a command action: a usage error (CliFailure 64, SeamAlertsError USAGE) exits 64, another CliFailure its
 * code, each with one `seam-alerts: ...` line on stderr (scrubbed of secrets). Anything else propagates to main.
 */
export function action<A extends unknown[]>(
  run: (...args: A) => Promise<void>,
  stderr: { write(text: string): unknown } = process.stderr,
): (...args: A) => Promise<void> {
  return async (...args) => {
    try {
      await run(...args)
    } catch (error) {
      const usageError = error instanceof SeamAlertsError && error.code === 'USAGE'
      if (!(error instanceof CliFailure) && !usageError) throw error
      stderr.write(`seam-alerts: ${scrubSecrets(error.message)}\n`)
      process.exitCode = error instanceof CliFailure ? error.exitCode : EXIT_USAGE
    }
  }
}

/** Commander's own usage errors (unknown option, missing value or argument) exit 64 on this command too. */
export function usageExit(command: Command): Command {
  return command.exitOverride((error) => {
    if (error.exitCode === 0) throw error
    throw new CommanderError(EXIT_USAGE, error.code, error.message)
  })
}
