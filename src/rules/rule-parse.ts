import type { z } from 'zod'
import { expandEnv } from '../env-expand.js'
import type { InputIssue } from '../errors.js'
import { jsonPath } from '../errors.js'
import { checkTopCondition, sharedConditionCycles } from './condition-validator.js'
import { oneLineMessage, parseJsonText } from './json-text.js'
import { nestingIssue } from './nesting-limit.js'
import { type Rule, ruleSchema } from './rule-schema.js'

/** One entry of an eventTypes list, at its JSON path (e.g. ['absence', 'eventTypes', 0]). */
export interface EventTypeEntry {
  at: PropertyKey[]
  type: string
}

/** What could still be read from an invalid rule: its id (when that field is valid) and its event types. */
export interface RuleDraft {
  id?: string
  eventTypes: EventTypeEntry[]
}

export interface ParsedRuleFile {
  rule?: Rule
  issues: InputIssue[]
  /** Set when the rule is invalid but is a JSON object: lets callers still check ids and event types. */
  draft?: RuleDraft
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

/** Paths of the condition trees in a raw rule (validated by condition-validator.ts, not by zod's messages). */
function conditionTrees(raw: Record<string, unknown>): { path: PropertyKey[]; node: unknown }[] {
  const trees: { path: PropertyKey[]; node: unknown }[] = []
  if ('conditions' in raw) trees.push({ path: ['conditions'], node: raw.conditions })
  for (const part of ['absence', 'resolve']) {
    const block = raw[part]
    if (isObject(block) && 'conditions' in block)
      trees.push({ path: [part, 'conditions'], node: block.conditions })
  }
  if (isObject(raw.sharedConditions))
    for (const [name, node] of Object.entries(raw.sharedConditions))
      trees.push({ path: ['sharedConditions', name], node })
  return trees
}

const startsWith = (path: readonly PropertyKey[], prefix: readonly PropertyKey[]) =>
  prefix.every((key, index) => path[index] === key)

/** `, got "1 hour"` for short plain values; never for anything under a URL field (webhook URLs are secrets). */
function describeInput(input: unknown, at: readonly PropertyKey[]): string {
  if (typeof input !== 'string' && typeof input !== 'number') return ''
  if (at.some((key) => typeof key === 'string' && /url|token|pass/i.test(key))) return ''
  const text = JSON.stringify(input)
  return text.length <= 60 ? `, got ${text}` : ''
}

function zodIssues(error: z.ZodError, file: string): { at: PropertyKey[]; issue: InputIssue }[] {
  const out: { at: PropertyKey[]; issue: InputIssue }[] = []
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const at = [...issue.path, key]
        out.push({ at, issue: { file, path: jsonPath(at), message: `unknown field ${JSON.stringify(key)}` } })
      }
      continue
    }
    let message = issue.message
    if (issue.code === 'invalid_union' && issue.path.at(-2) === 'actions')
      message = 'expected an action with "type" one of "slack", "email", "console"'
    if (issue.code === 'invalid_format' || issue.code === 'custom')
      message += describeInput(issue.input, issue.path)
    out.push({ at: issue.path, issue: { file, path: jsonPath(issue.path), message } })
  }
  return out
}

/** Validate one parsed rule document (already JSON) into a Rule, or the issues found. */
export function parseRuleValue(raw: unknown, file: string, env: NodeJS.ProcessEnv = {}): ParsedRuleFile {
  const issues: InputIssue[] = []
  if (!isObject(raw))
    return { issues: [{ file, path: '$', message: 'expected a JSON object (one rule per file)' }] }
  // Before anything below walks the document recursively.
  const tooDeep = nestingIssue(raw, conditionTrees(raw), file)
  if (tooDeep) return { issues: [tooDeep], draft: draftOf(raw, [tooDeep]) }
  const expanded = expandEnv(raw, env, file, issues) as Record<string, unknown>
  const shared = isObject(expanded.sharedConditions) ? expanded.sharedConditions : {}
  const sharedNames = new Set(Object.keys(shared))
  const trees = conditionTrees(expanded)
  for (const tree of trees) checkTopCondition(tree.node, tree.path, sharedNames, file, issues)
  for (const name of sharedConditionCycles(shared))
    issues.push({
      file,
      path: jsonPath(['sharedConditions', name]),
      message: 'shared condition references itself',
    })
  const result = ruleSchema.safeParse(expanded, { reportInput: true })
  if (!result.success) {
    const reported = [...issues]
    for (const { at, issue } of zodIssues(result.error, file)) {
      const tree = trees.find((candidate) => startsWith(at, candidate.path))
      const treeReported =
        tree !== undefined && reported.some((known) => known.path.startsWith(jsonPath(tree.path)))
      const envReported = reported.some((known) => known.path.startsWith(issue.path))
      if (!treeReported && !envReported) issues.push(issue)
    }
  }
  if (issues.length > 0 || !result.success) {
    const unique = dedupe(issues)
    return { issues: unique, draft: draftOf(expanded, unique) }
  }
  return { rule: result.data, issues }
}

/** The string event types of every eventTypes list in a rule object (valid or not). */
export function eventTypeEntries(raw: Record<string, unknown>): EventTypeEntry[] {
  const entries: EventTypeEntry[] = []
  const collect = (list: unknown, at: PropertyKey[]) => {
    if (Array.isArray(list))
      list.forEach((type, index) => {
        if (typeof type === 'string') entries.push({ at: [...at, index], type })
      })
  }
  collect(raw.eventTypes, ['eventTypes'])
  for (const part of ['absence', 'resolve']) {
    const block = raw[part]
    if (isObject(block)) collect(block.eventTypes, [part, 'eventTypes'])
  }
  return entries
}

function draftOf(raw: Record<string, unknown>, issues: InputIssue[]): RuleDraft {
  const idValid = typeof raw.id === 'string' && !issues.some((issue) => issue.path === '$.id')
  return { ...(idValid ? { id: raw.id as string } : {}), eventTypes: eventTypeEntries(raw) }
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

/** Validate one rule file's text. */
export function parseRuleText(text: string, file: string, env: NodeJS.ProcessEnv = {}): ParsedRuleFile {
  const json = parseJsonText(text)
  if (!json.ok) return { issues: [{ file, path: '$', message: json.message }] }
  const parsed = parseRuleValue(json.value, file, env)
  // Every problem is printed as one line `file: JSON path: message`.
  for (const issue of parsed.issues) issue.message = oneLineMessage(issue.message)
  return parsed
}
