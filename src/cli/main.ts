import { existsSync, readdirSync } from 'node:fs'
import { Command, CommanderError } from 'commander'
import { SeamAlertsError } from '../errors.js'
import { scrubSecrets } from '../secrets/scrub.js'
import { VERSION } from '../version.js'

/** A command module: one file per command under src/cli/commands, each exporting `register`. */
export interface CommandModule {
  register(program: Command): void
}

const COMMANDS_DIR = new URL('./commands/', import.meta.url)

/** The command files next to this one (compiled .js under dist/, .ts when run from source). */
function commandFiles(): string[] {
  if (!existsSync(COMMANDS_DIR)) return []
  const isSource = import.meta.url.endsWith('.ts')
  return readdirSync(COMMANDS_DIR)
    .filter((name) => (isSource ? /^[\w-]+\.ts$/.test(name) : /^[\w-]+\.js$/.test(name)))
    .filter((name) => !name.includes('.test.'))
    .sort()
}

/** Build the CLI with every command registered. */
export async function buildProgram(): Promise<Command> {
  const program = new Command()
    .name('seam-alerts')
    .description('Rules and alerting daemon for the Seam API')
    .version(VERSION)
    .exitOverride()
  for (const file of commandFiles()) {
    const module = (await import(new URL(file, COMMANDS_DIR).href)) as Partial<CommandModule>
    if (typeof module.register === 'function') module.register(program)
  }
  return program
}

/** Run the CLI; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = await buildProgram()
  try {
    await program.parseAsync(argv)
    return typeof process.exitCode === 'number' ? process.exitCode : 0
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode
    if (error instanceof SeamAlertsError) {
      process.stderr.write(`seam-alerts: ${scrubSecrets(error.message)}\n`)
      return 1
    }
    throw error
  }
}
