import { jsonPath, SeamAlertsError } from '../errors.js'
import { errnoCode, type FsLike, nodeFsLike } from './fs-like.js'
import { MigrationError, migrateState } from './migrate.js'
import { type State, stateSchema } from './state-schema.js'

/** The two ways back from a damaged state file, spelled out in every STATE_CORRUPT message. */
export function recoveryHint(file: string): string {
  const arg = JSON.stringify(file)
  return [
    'seam-alerts never starts from scratch on its own (that would re-send or skip alerts). To recover, either:',
    `  seam-alerts state restore --state ${arg}      # go back to the previous good generation (${file}.bak)`,
    `  seam-alerts state reset --from now --state ${arg}      # start fresh: events before now are not alerted`,
  ].join('\n')
}

const MAX_ISSUES = 5

/** Turn a raw file's text into a validated, migrated State; throws STATE_CORRUPT naming the problem. */
export function parseStateText(text: string, file: string, hint: string = recoveryHint(file)): State {
  const fail = (problem: string): never => {
    throw new SeamAlertsError('STATE_CORRUPT', `State file ${file} is damaged: ${problem}.\n${hint}`)
  }
  if (text.trim() === '') fail('it is empty (truncated)')
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (error) {
    fail(`it is not valid JSON, probably truncated (${(error as Error).message})`)
  }
  let migrated: unknown
  try {
    migrated = migrateState(raw)
  } catch (error) {
    if (error instanceof MigrationError && error.newer) {
      throw new SeamAlertsError('STATE_CORRUPT', `State file ${file} cannot be read: ${error.message}.`)
    }
    fail((error as Error).message)
  }
  const result = stateSchema.safeParse(migrated)
  if (!result.success) {
    const issues = result.error.issues
    const listed = issues.slice(0, MAX_ISSUES).map((issue) => `${jsonPath(issue.path)}: ${issue.message}`)
    if (issues.length > MAX_ISSUES) listed.push(`(${issues.length - MAX_ISSUES} more)`)
    fail(`it does not match the state format: ${listed.join('; ')}`)
  }
  return result.data as State
}

/**
 * Read and validate a state file. Null when it does not exist (a fresh start). Throws STATE_CORRUPT for a
 * truncated, non-JSON, wrong-version or schema-failing file, and for an unreadable one.
 */
export async function readStateFile(
  file: string,
  fs: FsLike = nodeFsLike,
  hint: string = recoveryHint(file),
): Promise<State | null> {
  let text: string
  try {
    text = (await fs.readFile(file)).toString('utf8')
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return null
    throw new SeamAlertsError(
      'STATE_CORRUPT',
      `State file ${file} cannot be read (${errnoCode(error) ?? (error as Error).message}). Check that the user running seam-alerts can read and write it and its directory.`,
      { cause: error },
    )
  }
  return parseStateText(text, file, hint)
}
