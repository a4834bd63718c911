import type { InputIssue } from '../errors.js'
import { jsonPath } from '../errors.js'
import {
  type InputFormat,
  readInputFile,
  type Validated,
  validateText,
  validateValue,
} from '../input/validate-input.js'
import { checkActionSecrets } from '../secrets/fields.js'
import { checkTopCondition, sharedConditionCycles } from './condition-validator.js'
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

/**
 * The checks zod cannot word precisely: the condition trees (condition-validator.ts gives the exact messages,
 * and owns those subtrees) and shared-condition cycles. A document that is not an object owns everything.
 */
function precheck(value: unknown, file: string): { issues: InputIssue[]; owns: PropertyKey[][] } {
  if (!isObject(value))
    return {
      issues: [{ file, path: '$', message: 'expected a JSON object (one rule per file)' }],
      owns: [[]],
    }
  const issues: InputIssue[] = []
  const shared = isObject(value.sharedConditions) ? value.sharedConditions : {}
  const sharedNames = new Set(Object.keys(shared))
  const trees = conditionTrees(value)
  for (const tree of trees) checkTopCondition(tree.node, tree.path, sharedNames, file, issues)
  for (const name of sharedConditionCycles(shared))
    issues.push({
      file,
      path: jsonPath(['sharedConditions', name]),
      message: 'shared condition references itself',
    })
  return { issues, owns: trees.map((tree) => tree.path) }
}

/** Rule files in the one input path (src/input/validate-input.ts). */
export const ruleFormat: InputFormat<typeof ruleSchema> = {
  schema: ruleSchema,
  noun: 'rule file',
  jsonLabel: 'invalid JSON',
  unknownKeyAt: 'key',
  // Before anything walks the document recursively (env expansion, zod, the compiler).
  shapeCheck: (raw, file) => (isObject(raw) ? nestingIssue(raw, conditionTrees(raw), file) : undefined),
  precheck,
  secrets: (expanded, rule, file) =>
    checkActionSecrets(isObject(expanded) ? expanded.actions : undefined, rule.actions, ['actions'], file),
}

function parsed(result: Validated<Rule>): ParsedRuleFile {
  if (result.ok) return { rule: result.value, issues: [] }
  const { issues, expanded } = result
  return isObject(expanded) ? { issues, draft: draftOf(expanded, issues) } : { issues }
}

/** Validate one parsed rule document (already JSON) into a Rule, or the issues found. */
export function parseRuleValue(raw: unknown, file: string, env: NodeJS.ProcessEnv = {}): ParsedRuleFile {
  return parsed(validateValue(ruleFormat, raw, file, env))
}

/** Validate one rule file's text. Every problem is one line `file: JSON path: message`. */
export function parseRuleText(text: string, file: string, env: NodeJS.ProcessEnv = {}): ParsedRuleFile {
  return parsed(validateText(ruleFormat, text, file, env))
}

/** Read and validate one rule file; `text` is what was read (undefined when it could not be read). */
export async function readRuleText(
  file: string,
  env: NodeJS.ProcessEnv,
): Promise<ParsedRuleFile & { text?: string }> {
  const result = await readInputFile(ruleFormat, file, env)
  return result.text === undefined ? parsed(result) : { ...parsed(result), text: result.text }
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
