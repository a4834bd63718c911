import type { z } from 'zod'
import { expandEnv } from './env-expand.js'
import { type ErrorCode, InputError, type InputIssue, jsonPath } from './errors.js'

/**
 * The one way user input (a config file, an `--action` argument) becomes a typed value: `${ENV}` references are
 * expanded (a missing variable is reported at its JSON path), then the schema is applied and every problem is
 * reported as `file: JSON path: message`, with an optional hint on what to do.
 */
export function validateInput<S extends z.ZodType>(
  schema: S,
  raw: unknown,
  opts: { file: string; env: NodeJS.ProcessEnv; code: ErrorCode; hint?: string },
): z.output<S> {
  const issues: InputIssue[] = []
  const expanded = expandEnv(raw, opts.env, opts.file, issues)
  if (issues.length > 0) throw new InputError('CONFIG_ENV_MISSING', issues)
  const result = schema.safeParse(expanded)
  if (!result.success) {
    throw new InputError(
      opts.code,
      result.error.issues.map((issue) => ({
        file: opts.file,
        path: jsonPath(issue.path),
        message: issue.message,
      })),
      opts.hint,
    )
  }
  return result.data
}
