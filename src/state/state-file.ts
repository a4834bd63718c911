import { jsonPath, SeamAlertsError } from '../errors.js'
import { DEFAULT_STATE_FILE_MAX } from '../limits.js'
import { formatSize } from '../size.js'
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

const S_IFMT = 0o170000
const S_IFREG = 0o100000

/** Why a state file cannot be read, blaming permissions only when they are to blame. */
function unreadable(file: string, error: unknown): SeamAlertsError {
  const code = errnoCode(error)
  const why =
    code === 'EACCES' || code === 'EPERM'
      ? `${code}: permission denied. Check that the user running seam-alerts can read and write it and its directory.`
      : `${code ?? (error as Error).message}${code === 'EIO' ? ': an I/O error; check the disk' : ''}`
  return new SeamAlertsError('STATE_CORRUPT', `State file ${file} cannot be read (${why})`, { cause: error })
}

/** The STATE_TOO_LARGE error: the file, its size, the limit, and what to do. */
export function tooLargeError(
  file: string,
  bytes: number,
  maxBytes: number,
  hint: string = recoveryHint(file),
): SeamAlertsError {
  return new SeamAlertsError(
    'STATE_TOO_LARGE',
    `State file ${file} is ${formatSize(bytes)} (${bytes} bytes), over limits.stateFileMax (${formatSize(maxBytes)}): not reading it, since loading it would take several times that in memory. If it really needs to be this big, raise "limits.stateFileMax" in the config (the state commands read it with --config).\n${hint}`,
  )
}

/**
 * Read and validate a state file. Null when it does not exist (a fresh start). The size is checked first (stat,
 * nothing read): a file over `maxBytes` throws STATE_TOO_LARGE. Throws STATE_CORRUPT for a truncated, non-JSON,
 * wrong-version or schema-failing file, for one that is not a regular file, and for an unreadable one.
 */
export async function readStateFile(
  file: string,
  fs: FsLike = nodeFsLike,
  hint: string = recoveryHint(file),
  maxBytes: number = DEFAULT_STATE_FILE_MAX,
): Promise<State | null> {
  let size: number
  try {
    const stat = await fs.stat(file)
    if ((stat.mode & S_IFMT) !== S_IFREG) {
      throw new SeamAlertsError(
        'STATE_CORRUPT',
        `State file ${file} is not a regular file (a directory or a device?). Point "state" at a file.`,
      )
    }
    size = stat.size
  } catch (error) {
    if (error instanceof SeamAlertsError) throw error
    if (errnoCode(error) === 'ENOENT') return null
    throw unreadable(file, error)
  }
  if (size > maxBytes) throw tooLargeError(file, size, maxBytes, hint)
  let text: string
  try {
    text = (await fs.readFile(file)).toString('utf8')
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return null
    throw unreadable(file, error)
  }
  return parseStateText(text, file, hint)
}
