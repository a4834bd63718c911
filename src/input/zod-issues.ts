import type { z } from 'zod'
import { type InputIssue, jsonPath } from '../errors.js'
import { mayEchoValue } from './echo.js'

type ZodIssue = z.core.$ZodIssue

/** Where an unknown key is reported: at the key itself, or at the object that holds it. */
export type UnknownKeyAt = 'key' | 'object'

/** A zod-style path with the issue it produced. */
export interface LocatedIssue {
  at: PropertyKey[]
  issue: InputIssue
  /** An unknown key: never a consequence of another problem, so never left out as one. */
  unknownKey?: true
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

/** The one wording of an unknown key, at the key or at its object. */
export function unknownKeyIssue(
  file: string,
  objectAt: readonly PropertyKey[],
  key: string,
  where: UnknownKeyAt,
): LocatedIssue {
  const at = where === 'key' ? [...objectAt, key] : [...objectAt]
  const message = `unknown field ${JSON.stringify(key)}`
  return { at, issue: { file, path: jsonPath(at), message }, unknownKey: true }
}

/**
 * Zod's issues as `file: JSON path: message` issues: unions flattened, one issue per unknown key, an action
 * without a known `type` said plainly, and the offending value echoed (`, got "30 s"`) after a format or custom
 * check when it is short and may be echoed. `raw` is the value as written (before `${ENV}` expansion).
 */
export function inputIssues(
  issues: readonly ZodIssue[],
  opts: { file: string; raw: unknown; unknownKeyAt: UnknownKeyAt },
): LocatedIssue[] {
  const out: LocatedIssue[] = []
  for (const issue of flattenIssues(issues)) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push(unknownKeyIssue(opts.file, issue.path, key, opts.unknownKeyAt))
      continue
    }
    let message = issue.message
    if (issue.code === 'invalid_union' && issue.path.at(-2) === 'actions')
      message = 'expected an action with "type" one of "slack", "email", "console"'
    if (issue.code === 'invalid_format' || issue.code === 'custom') message += describeInput(issue, opts.raw)
    out.push({ at: issue.path, issue: { file: opts.file, path: jsonPath(issue.path), message } })
  }
  return out
}

/** `, got "30 s"` for a short string or number the schema refused, when it may be echoed. */
function describeInput(issue: ZodIssue, raw: unknown): string {
  const input = issue.input
  if (typeof input !== 'string' && typeof input !== 'number') return ''
  if (!mayEchoValue(issue.path, valueAt(raw, issue.path))) return ''
  const text = JSON.stringify(input)
  return text.length <= 60 ? `, got ${text}` : ''
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let at = value
  for (const key of path) {
    if (at === null || typeof at !== 'object' || !Object.hasOwn(at, key)) return undefined
    at = (at as Record<PropertyKey, unknown>)[key]
  }
  return at
}
