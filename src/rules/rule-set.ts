import { type CompiledRule, compileRule } from './compiled-rule.js'
import type { Predicate } from './condition-compiler.js'
import { expandEventType, isPattern, matchesEventType } from './event-types.js'
import type { Rule } from './rule-schema.js'
import type { NamedIntervals } from './time-interval-operator.js'

/** One rule an event of some type can affect, and in which roles. */
export interface Candidate {
  compiled: CompiledRule
  trigger: boolean
  cancel: boolean
  resolve: boolean
  /** Every role's conditions compiled: can be evaluated synchronously. */
  sync: boolean
  /** The compiled trigger predicate when this type triggers the rule and it compiled (the hot path). */
  triggerTest: Predicate | null
  /** Cancel or resolve role present (the rarer path). */
  other: boolean
}

/** The candidates of one event type, and whether all of them can be evaluated synchronously. */
export interface Route {
  candidates: readonly Candidate[]
  sync: boolean
}

type Role = 'trigger' | 'cancel' | 'resolve'
const MAX_CACHED_TYPES = 10_000

function roleTypes(rule: Rule): [Role, readonly string[]][] {
  const out: [Role, readonly string[]][] = [['trigger', rule.eventTypes]]
  if (rule.absence) out.push(['cancel', rule.absence.eventTypes])
  if (rule.resolve) out.push(['resolve', rule.resolve.eventTypes])
  return out
}

/**
 * The enabled rules, compiled and indexed by event type: exact names in a map, prefix patterns checked once per
 * new event type and cached, so an event only meets the rules that can match it.
 */
export class RuleSet {
  readonly rules: readonly Rule[]
  readonly compiled: readonly CompiledRule[]
  private readonly byId: Map<string, CompiledRule>
  private readonly allById: Map<string, Rule>
  private readonly exact = new Map<string, { compiled: CompiledRule; role: Role }[]>()
  private readonly patterns: { pattern: string; compiled: CompiledRule; role: Role }[] = []
  private readonly cache = new Map<string, Route>()

  private constructor(
    rules: Rule[],
    /** The config's timeIntervals, which `inTimeInterval` names in conditions resolve through. */
    readonly timeIntervals: NamedIntervals = {},
  ) {
    this.rules = rules
    this.allById = new Map(rules.map((rule) => [rule.id, rule]))
    const enabled = rules
      .filter((rule) => rule.enabled)
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    this.compiled = enabled.map((rule, index) => compileRule(rule, index, timeIntervals))
    this.byId = new Map(this.compiled.map((compiled) => [compiled.rule.id, compiled]))
    for (const compiled of this.compiled)
      for (const [role, types] of roleTypes(compiled.rule))
        for (const type of types) {
          if (isPattern(type)) this.patterns.push({ pattern: type, compiled, role })
          else {
            const list = this.exact.get(type) ?? []
            list.push({ compiled, role })
            this.exact.set(type, list)
          }
        }
  }

  /** `timeIntervals`: the config's named intervals (rules read without a config use inline specs only). */
  static from(rules: Rule[], timeIntervals?: NamedIntervals): RuleSet {
    return new RuleSet(rules, timeIntervals)
  }

  /** A rule by id (enabled or not). */
  get(id: string): Rule | undefined {
    return this.allById.get(id)
  }

  /** The compiled enabled rule with this id. */
  getCompiled(id: string): CompiledRule | undefined {
    return this.byId.get(id)
  }

  /** The enabled rules an event of this type can affect, with their roles, in rule order. Cached per type. */
  dispatch(eventType: string): readonly Candidate[] {
    return this.route(eventType).candidates
  }

  route(eventType: string): Route {
    const cached = this.cache.get(eventType)
    if (cached) return cached
    const found = new Map<CompiledRule, Candidate>()
    const add = (compiled: CompiledRule, role: Role) => {
      let candidate = found.get(compiled)
      if (!candidate) {
        candidate = {
          compiled,
          trigger: false,
          cancel: false,
          resolve: false,
          sync: true,
          triggerTest: null,
          other: false,
        }
        found.set(compiled, candidate)
      }
      candidate[role] = true
    }
    for (const { compiled, role } of this.exact.get(eventType) ?? []) add(compiled, role)
    for (const { pattern, compiled, role } of this.patterns)
      if (matchesEventType(pattern, eventType)) add(compiled, role)
    const list = [...found.values()].sort((a, b) => a.compiled.order - b.compiled.order)
    for (const candidate of list) {
      const { trigger, cancel, resolve } = candidate.compiled
      candidate.sync =
        (!candidate.trigger || trigger.sync !== undefined) &&
        (!candidate.cancel || cancel?.sync !== undefined) &&
        (!candidate.resolve || resolve?.sync !== undefined)
      candidate.triggerTest = candidate.trigger && trigger.sync ? trigger.sync : null
      candidate.other = candidate.cancel || candidate.resolve
    }
    const route: Route = { candidates: list, sync: list.every((candidate) => candidate.sync) }
    if (this.cache.size >= MAX_CACHED_TYPES) this.cache.clear()
    this.cache.set(eventType, route)
    return route
  }

  /** The compiled rules an event of this type can affect. */
  candidates(eventType: string): readonly CompiledRule[] {
    return this.dispatch(eventType).map((candidate) => candidate.compiled)
  }

  /**
   * The event types to ask the API for (patterns expanded against the types @seamapi/types documents), or null
   * when some rule cannot be listed exactly (`*`, or a pattern that matches no documented type).
   */
  apiEventTypes(): string[] | null {
    const out = new Set<string>()
    for (const compiled of this.compiled)
      for (const [, types] of roleTypes(compiled.rule))
        for (const type of types) {
          const expanded = expandEventType(type)
          if (type === '*' || (isPattern(type) && expanded.length === 0)) return null
          for (const name of expanded) out.add(name)
        }
    return [...out].sort()
  }
}
