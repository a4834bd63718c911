import { readFile } from 'node:fs/promises'
import type { z } from 'zod'
import { expandEnv } from '../env-expand.js'
import { type ErrorCode, InputError, type InputIssue, jsonPath } from '../errors.js'
import { jsonDepthIssue } from './json-depth.js'
import { oneLineMessage, parseJsonText } from './json-text.js'
import { findReservedKeys } from './reserved-keys.js'
import { inputIssues, type LocatedIssue, type UnknownKeyAt, unknownKeyIssue } from './zod-issues.js'

/**
 * The one way user input — a config file, a rule file, an `--action` argument — becomes a typed value:
 *
 *   read → parse JSON (line and column on error) → reject reserved keys (`__proto__`) at any depth → expand
 *   `${ENV}` → format-specific pre-checks → zod schema → every problem as `file: $.path: message`, on one line,
 *   all of them in one round.
 *
 * A format names its schema and the few things its files word differently (all pinned by tests and users'
 * scripts): the JSON error label, and whether an unknown key is reported at the key or at its object.
 */
export interface InputFormat<S extends z.ZodType = z.ZodType> {
  schema: S
  /** What a file of this format is called in "cannot read the …" (e.g. "config file"). */
  noun: string
  /** How a JSON syntax error begins: "invalid JSON" (rule files) or "not valid JSON" (config, `--action`). */
  jsonLabel: string
  unknownKeyAt: UnknownKeyAt
  /**
   * Checks the schema cannot word precisely, run on the expanded value before it. A schema issue inside a
   * subtree listed in `owns` is left out when any earlier issue (a pre-check's or a missing variable's) sits
   * in that subtree: the pre-check already said what is wrong there, better.
   */
  precheck?: (value: unknown, file: string) => { issues: InputIssue[]; owns: PropertyKey[][] }
  /**
   * Run first, on the parsed JSON before any recursive walk (reserved keys, `${ENV}`, zod): a nesting limit, so a
   * document nested deeper than the stack allows is one clear issue, not a RangeError. The default is
   * jsonDepthIssue (any container deeper than MAX_JSON_DEPTH).
   */
  shapeCheck?: (raw: unknown, file: string) => InputIssue | undefined
  /**
   * The secrets step (src/secrets/), run once the schema accepts the value: issues for a secret that can never
   * work (a control character), naming the path and never the value. With none, the format's secrets are
   * remembered so every log line, health reason and state write of this process is scrubbed of them.
   * `expanded` is the value as written (after `${ENV}`): zod trims URLs and would hide a line break.
   */
  secrets?: (expanded: unknown, value: z.output<S>, file: string, env: NodeJS.ProcessEnv) => InputIssue[]
}

export type Validated<T> =
  | { ok: true; value: T; expanded: unknown }
  | {
      ok: false
      issues: InputIssue[]
      /** The value after `${ENV}` expansion, when the text was JSON (callers read what they still can). */
      expanded?: unknown
      /** Some `${VAR}` is not set. */
      envMissing: boolean
    }

const isPrefix = (prefix: readonly PropertyKey[], path: readonly PropertyKey[]) =>
  prefix.length <= path.length && prefix.every((key, index) => path[index] === key)

/** Validate a parsed JSON value against a format. */
export function validateValue<S extends z.ZodType>(
  format: InputFormat<S>,
  raw: unknown,
  file: string,
  env: NodeJS.ProcessEnv,
): Validated<z.output<S>> {
  const shape = (format.shapeCheck ?? jsonDepthIssue)(raw, file)
  if (shape) return { ok: false, issues: [shape], expanded: raw, envMissing: false }
  const reserved = findReservedKeys(raw).map(({ at, key }) =>
    unknownKeyIssue(file, at, key, format.unknownKeyAt),
  )
  const envIssues: InputIssue[] = []
  const expanded = expandEnv(raw, env, file, envIssues)
  const pre = format.precheck?.(expanded, file) ?? { issues: [], owns: [] }
  const result = format.schema.safeParse(expanded, { reportInput: true })
  const earlier = [...envIssues, ...pre.issues]
  const schemaIssues = result.success
    ? []
    : inputIssues(result.error.issues, { file, raw, unknownKeyAt: format.unknownKeyAt }).filter(
        (found) => !saidBefore(found, earlier, pre.owns),
      )
  const issues = dedupe([
    // A pre-check that words the same key better (e.g. "allowed here: …" in a condition) speaks for it.
    ...reserved.map((found) => found.issue).filter((issue) => !pre.issues.some((p) => p.path === issue.path)),
    ...earlier,
    ...schemaIssues.map((found) => found.issue),
  ])
  if (issues.length === 0 && result.success) {
    const secretIssues = format.secrets?.(expanded, result.data, file, env) ?? []
    if (secretIssues.length === 0) return { ok: true, value: result.data, expanded }
    issues.push(...secretIssues)
  }
  for (const issue of issues) issue.message = oneLineMessage(issue.message)
  return { ok: false, issues, expanded, envMissing: envIssues.length > 0 }
}

/** Is `path` (a JSON path) `ancestor` or inside it? */
const isWithin = (path: string, ancestor: string) =>
  path === ancestor || path.startsWith(`${ancestor}.`) || path.startsWith(`${ancestor}[`)

/**
 * Is a schema issue a consequence of one already reported? Yes when an earlier issue sits at its path, when it
 * is about an object that holds an earlier issue (a missing variable is validated as '', which can break a check
 * across fields; an unknown key is no such consequence), or when it lies in a subtree a pre-check owns and
 * reported on.
 */
function saidBefore(
  found: LocatedIssue,
  earlier: readonly InputIssue[],
  owns: readonly PropertyKey[][],
): boolean {
  const at = found.issue.path
  if (earlier.some((known) => known.path === at || (!found.unknownKey && isWithin(known.path, at))))
    return true
  const tree = owns.find((subtree) => isPrefix(subtree, found.at))
  if (!tree) return false
  const treePath = jsonPath(tree)
  return earlier.some((known) => isWithin(known.path, treePath))
}

function dedupe(issues: InputIssue[]): InputIssue[] {
  const seen = new Set<string>()
  return issues.filter((issue) => {
    const key = `${issue.path}\u0000${issue.message}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

/** Validate one file's text (JSON) against a format. */
export function validateText<S extends z.ZodType>(
  format: InputFormat<S>,
  text: string,
  file: string,
  env: NodeJS.ProcessEnv,
): Validated<z.output<S>> {
  const json = parseJsonText(text, format.jsonLabel)
  if (!json.ok) return { ok: false, issues: [{ file, path: '$', message: json.message }], envMissing: false }
  return validateValue(format, json.value, file, env)
}

/** Read and validate one file; `text` is what was read (undefined when the file could not be read). */
export async function readInputFile<S extends z.ZodType>(
  format: InputFormat<S>,
  file: string,
  env: NodeJS.ProcessEnv,
): Promise<Validated<z.output<S>> & { text?: string }> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error)
    const message = `cannot read the ${format.noun} (${code})`
    return { ok: false, issues: [{ file, path: '$', message }], envMissing: false }
  }
  return { ...validateText(format, text, file, env), text }
}

/**
 * The value, or an InputError listing every issue (with an optional hint on what to do). The code is
 * CONFIG_ENV_MISSING when any variable is missing, else `code`.
 */
export function valueOrThrow<T>(result: Validated<T>, code: ErrorCode, hint?: string): T {
  if (result.ok) return result.value
  throw new InputError(result.envMissing ? 'CONFIG_ENV_MISSING' : code, result.issues, hint)
}
