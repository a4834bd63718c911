import { Command, CommanderError } from 'commander'
import { SeamAlertsError } from '../errors.js'
import { VERSION } from '../version.js'

/** Build the CLI. Each command lives in its own file under src/cli/commands and registers itself here. */
export function buildProgram(): Command {
  const program = new Command()
    .name('seam-alerts')
    .description('Rules and alerting daemon for the Seam API')
    .version(VERSION)
    .exitOverride()
  return program
}

/** Run the CLI; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram()
  try {
    await program.parseAsync(argv)
    return typeof process.exitCode === 'number' ? process.exitCode : 0
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode
    if (error instanceof SeamAlertsError) {
      process.stderr.write(`seam-alerts: ${error.message}\n`)
      return 1
    }
    throw error
  }
}
