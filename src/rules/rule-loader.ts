import { readdir } from 'node:fs/promises'
import path from 'node:path'
import type { InputIssue } from '../errors.js'
import { jsonPath } from '../errors.js'
import { isPattern, knownEventTypes } from './event-types.js'
import { checkIntervalNames, type IntervalContext } from './interval-names.js'
import { type EventTypeEntry, eventTypeEntries, type RuleDraft, readRuleText } from './rule-parse.js'
import type { Rule } from './rule-schema.js'

export interface RuleFileResult {
  rule?: Rule
  issues: InputIssue[]
  /** Not errors, e.g. an interval name that cannot be checked without a config. */
  warnings?: InputIssue[]
  /** What could be read from an invalid rule (id, event types), for duplicate-id and event-type checks. */
  draft?: RuleDraft
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

/**
 * Read and validate one rule file, then check the config interval names it uses (`intervals`; see
 * interval-names.ts): a name the config does not define makes the file invalid.
 */
export async function readRuleFile(
  file: string,
  env: NodeJS.ProcessEnv,
  intervals: IntervalContext = {},
): Promise<RuleFileResult> {
  try {
    const result: RuleFileResult = await readRuleText(file, env)
    if (!result.rule) return result
    const names = checkIntervalNames(result.rule, file, intervals)
    if (names.warnings.length) result.warnings = names.warnings
    if (names.issues.length === 0) return result
    const { rule, ...rest } = result
    return {
      ...rest,
      issues: names.issues,
      draft: { id: rule.id, eventTypes: eventTypeEntries(rule as unknown as Record<string, unknown>) },
    }
  } catch (error) {
    // A checker bug must not take the other files (or a running daemon's reload) down with this one.
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
    return { issues: [{ file, path: '$', message: `cannot check this rule file (${reason})` }] }
  }
}

/**
 * Combine per-file results into one rule list: a duplicate id is reported on the later file (naming both) and
 * only the first is kept. Invalid files take part with what could be read from them: their id (when that field
 * is valid) is checked for duplicates too, and their event types are checked for warnings.
 */
export function combineRuleFiles(
  files: Map<string, RuleFileResult>,
  opts: { warnings?: boolean } = {},
): Omit<LoadedRules, 'files'> {
  const rules: Rule[] = []
  const issues: InputIssue[] = []
  const warnings: InputIssue[] = []
  const owner = new Map<string, string>()
  const duplicate = (file: string, id: string, first: string) =>
    issues.push({ file, path: '$.id', message: `duplicate id ${JSON.stringify(id)}: also used in ${first}` })
  for (const [file, result] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    issues.push(...result.issues)
    const rule = result.rule
    const id = rule?.id ?? result.draft?.id
    const first = id === undefined ? undefined : owner.get(id)
    if (id !== undefined && first !== undefined) duplicate(file, id, first)
    else if (id !== undefined) owner.set(id, file)
    warnings.push(...(result.warnings ?? []))
    if (opts.warnings !== false) {
      const entries = rule ? ruleEventTypes(rule) : (result.draft?.eventTypes ?? [])
      warnings.push(...typeWarnings(entries, file))
    }
    // A valid rule is kept unless its id belongs to an earlier valid rule.
    if (rule && (first === undefined || !rules.some((kept) => kept.id === rule.id))) rules.push(rule)
  }
  warnings.push(...inhibitorWarnings(rules, owner))
  return { rules, issues, warnings }
}

/** `inhibitedBy` entries naming a rule id no file defines: they can never inhibit (a typo, or a removed rule). */
function inhibitorWarnings(rules: readonly Rule[], owner: ReadonlyMap<string, string>): InputIssue[] {
  const out: InputIssue[] = []
  const byId = new Map(rules.map((rule) => [rule.id, rule]))
  for (const rule of rules)
    for (const [index, entry] of rule.inhibitedBy.entries()) {
      const source = byId.get(entry.rule)
      const why = !owner.has(entry.rule)
        ? `no rule has id ${JSON.stringify(entry.rule)}`
        : source && !source.resolve && !source.throttle
          ? `rule ${JSON.stringify(entry.rule)} has neither "resolve" nor "throttle", so its incidents are never open`
          : undefined
      if (why)
        out.push({
          file: owner.get(rule.id) ?? rule.id,
          path: jsonPath(['inhibitedBy', index, 'rule']),
          message: `warning: ${why}; this entry inhibits nothing`,
        })
    }
  return out
}

function ruleEventTypes(rule: Rule): EventTypeEntry[] {
  return eventTypeEntries(rule as unknown as Record<string, unknown>)
}

/** Exact event types that @seamapi/types does not list, and patterns that match none. */
export function eventTypeWarnings(rule: Rule, file: string): InputIssue[] {
  return typeWarnings(ruleEventTypes(rule), file)
}

function typeWarnings(entries: readonly EventTypeEntry[], file: string): InputIssue[] {
  if (entries.length === 0) return []
  const known = knownEventTypes()
  const knownSet = new Set(known)
  const out: InputIssue[] = []
  for (const { at, type } of entries) {
    const where = jsonPath(at)
    if (!isPattern(type) && !knownSet.has(type))
      out.push({
        file,
        path: where,
        message: `warning: ${JSON.stringify(type)} is not a known Seam event type`,
      })
    else if (isPattern(type) && type !== '*' && !known.some((k) => k.startsWith(type.slice(0, -1))))
      out.push({
        file,
        path: where,
        message: `warning: ${JSON.stringify(type)} matches no known Seam event type`,
      })
  }
  return out
}

/**
 * Load and validate every rule file of a directory. `warnings: false` skips the event-type check (it loads the
 * large @seamapi/types schema).
 */
export async function loadRuleDir(
  dir: string,
  opts: { env?: NodeJS.ProcessEnv; warnings?: boolean; intervals?: IntervalContext } = {},
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
  for (const file of fileNames) files.set(file, await readRuleFile(file, env, opts.intervals))
  return { ...combineRuleFiles(files, opts), files }
}
