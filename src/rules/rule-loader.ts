import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import type { InputIssue } from '../errors.js'
import { jsonPath } from '../errors.js'
import { isPattern, knownEventTypes } from './event-types.js'
import { parseRuleText } from './rule-parse.js'
import type { Rule } from './rule-schema.js'

export interface RuleFileResult {
  rule?: Rule
  issues: InputIssue[]
  /** The file's text, so a watcher can tell whether it changed. */
  text?: string
}

export interface LoadedRules {
  rules: Rule[]
  issues: InputIssue[]
  /** Not errors: e.g. an exact event type Seam does not document (yet). */
  warnings: InputIssue[]
  files: Map<string, RuleFileResult>
}

/** The rule files of a directory: every `*.json` except `schema.json`, sorted by name. */
export async function listRuleFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir)
  return names
    .filter((name) => name.endsWith('.json') && name !== 'schema.json')
    .sort()
    .map((name) => path.join(dir, name))
}

export async function readRuleFile(file: string, env: NodeJS.ProcessEnv): Promise<RuleFileResult> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error)
    return { issues: [{ file, path: '$', message: `cannot read the rule file (${code})` }] }
  }
  return { ...parseRuleText(text, file, env), text }
}

/**
 * Combine per-file results into one rule list: a duplicate id is reported on the later file (naming both) and
 * only the first is kept.
 */
export function combineRuleFiles(
  files: Map<string, RuleFileResult>,
  opts: { warnings?: boolean } = {},
): Omit<LoadedRules, 'files'> {
  const rules: Rule[] = []
  const issues: InputIssue[] = []
  const warnings: InputIssue[] = []
  const owner = new Map<string, string>()
  for (const [file, result] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    issues.push(...result.issues)
    const rule = result.rule
    if (!rule) continue
    const first = owner.get(rule.id)
    if (first) {
      issues.push({
        file,
        path: '$.id',
        message: `duplicate id ${JSON.stringify(rule.id)}: also used in ${first}`,
      })
      continue
    }
    owner.set(rule.id, file)
    rules.push(rule)
    if (opts.warnings !== false) warnings.push(...eventTypeWarnings(rule, file))
  }
  return { rules, issues, warnings }
}

/** Exact event types that @seamapi/types does not list, and patterns that match none. */
export function eventTypeWarnings(rule: Rule, file: string): InputIssue[] {
  const known = new Set(knownEventTypes())
  const out: InputIssue[] = []
  const check = (types: readonly string[], at: PropertyKey[]) =>
    types.forEach((type, index) => {
      const where = jsonPath([...at, index])
      if (!isPattern(type) && !known.has(type))
        out.push({
          file,
          path: where,
          message: `warning: ${JSON.stringify(type)} is not a known Seam event type`,
        })
      else if (
        isPattern(type) &&
        type !== '*' &&
        !knownEventTypes().some((k) => k.startsWith(type.slice(0, -1)))
      )
        out.push({
          file,
          path: where,
          message: `warning: ${JSON.stringify(type)} matches no known Seam event type`,
        })
    })
  check(rule.eventTypes, ['eventTypes'])
  if (rule.absence) check(rule.absence.eventTypes, ['absence', 'eventTypes'])
  if (rule.resolve) check(rule.resolve.eventTypes, ['resolve', 'eventTypes'])
  return out
}

/**
 * Load and validate every rule file of a directory. `warnings: false` skips the event-type check (it loads the
 * large @seamapi/types schema).
 */
export async function loadRuleDir(
  dir: string,
  opts: { env?: NodeJS.ProcessEnv; warnings?: boolean } = {},
): Promise<LoadedRules> {
  const env = opts.env ?? process.env
  let fileNames: string[]
  try {
    fileNames = await listRuleFiles(dir)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error)
    return {
      rules: [],
      warnings: [],
      files: new Map(),
      issues: [{ file: dir, path: '$', message: `cannot read the rules directory (${code})` }],
    }
  }
  const files = new Map<string, RuleFileResult>()
  for (const file of fileNames) files.set(file, await readRuleFile(file, env))
  return { ...combineRuleFiles(files, opts), files }
}
