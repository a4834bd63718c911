import type { z } from 'zod'
import { expandEnv, hasEnvReference } from './env-expand.js'
import { type ErrorCode, InputError, type InputIssue, jsonPath } from './errors.js'
import { mayHoldSecret } from './secrets/definition.js'

type ZodIssue = z.core.$ZodIssue

/**
 * The one way user input (a config file, an `--action` argument) becomes a typed value: `${ENV}` references are
 * expanded (a missing variable is reported at its JSON path and validated as ''), then the schema is applied, and
 * every problem — missing variables and schema issues together, in one round — is reported as
 * `file: JSON path: message`, with an optional hint on what to do. The code is CONFIG_ENV_MISSING when any
 * variable is missing, else `code`.
 */
export function validateInput<S extends z.ZodType>(
  schema: S,
  raw: unknown,
  opts: { file: string; env: NodeJS.ProcessEnv; code: ErrorCode; hint?: string },
): z.output<S> {
  const envIssues: InputIssue[] = []
  const expanded = expandEnv(raw, opts.env, opts.file, envIssues)
  const result = schema.safeParse(expanded, { reportInput: true })
  const missingAt = new Set(envIssues.map((issue) => issue.path))
  const schemaIssues = result.success
    ? []
    : flattenIssues(result.error.issues)
        .map((issue) => ({
          file: opts.file,
          path: jsonPath(issue.path),
          message: issue.message + describeInput(issue, raw),
        }))
        // A missing variable was validated as '': the schema's complaint about that '' says nothing new.
        .filter((issue) => !missingAt.has(issue.path))
  const issues = [...envIssues, ...schemaIssues]
  if (issues.length > 0 || !result.success)
    throw new InputError(envIssues.length > 0 ? 'CONFIG_ENV_MISSING' : opts.code, issues, opts.hint)
  return result.data
}

/**
 * Zod's issues with every `invalid_union` ("Invalid input") replaced by the issues of its most specific branch —
 * the one whose issues reach deepest — with full paths, e.g. `$.server.port: Invalid input: expected number,
 * received string` instead of `$.server: Invalid input`. When no branch gets past the union's own value, one issue
 * lists what each branch expected.
 */
export function flattenIssues(issues: readonly ZodIssue[], prefix: readonly PropertyKey[] = []): ZodIssue[] {
  const out: ZodIssue[] = []
  for (const issue of issues) {
    const path = [...prefix, ...issue.path]
    if (issue.code !== 'invalid_union' || issue.errors.length === 0) {
      out.push({ ...issue, path } as ZodIssue)
      continue
    }
    const branches = issue.errors.map((branch) => flattenIssues(branch, path))
    const depth = (branch: ZodIssue[]) => Math.max(-1, ...branch.map((i) => i.path.length))
    const deepest = Math.max(...branches.map(depth))
    if (deepest > path.length) {
      out.push(...branches.find((branch) => depth(branch) === deepest)!)
      continue
    }
    const expected = [...new Set(branches.flat().map((i) => i.message.replace(/^Invalid input: /, '')))]
    out.push({ ...issue, path, message: `Invalid input: ${expected.join(', or ')}` } as ZodIssue)
  }
  return out
}

/**
 * `, got "30 s"` after a format or custom check on a short string or number typed in the file, like rule files say.
 * Never for a value that came from `${ENV}` or sits under a field that may hold a secret.
 */
function describeInput(issue: ZodIssue, raw: unknown): string {
  if (issue.code !== 'invalid_format' && issue.code !== 'custom') return ''
  const input = issue.input
  if (typeof input !== 'string' && typeof input !== 'number') return ''
  if (mayHoldSecret(issue.path)) return ''
  const written = valueAt(raw, issue.path)
  if (typeof written === 'string' && hasEnvReference(written)) return ''
  const text = JSON.stringify(input)
  return text.length <= 60 ? `, got ${text}` : ''
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let at = value
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined
    at = (at as Record<PropertyKey, unknown>)[key]
  }
  return at
}
