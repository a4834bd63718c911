/** The json-rules-engine condition format, as rule files write it. */
export interface FactCondition {
  fact: string
  operator: string
  value: unknown
  path?: string
  params?: Record<string, unknown>
  priority?: number
  name?: string
}

export interface ConditionReference {
  condition: string
  priority?: number
  name?: string
}

export type Condition =
  | { all: Condition[]; priority?: number; name?: string }
  | { any: Condition[]; priority?: number; name?: string }
  | { not: Condition; priority?: number; name?: string }
  | ConditionReference
  | FactCondition

/** What a rule's `conditions` may be at the top: a boolean group or a reference to a shared condition. */
export type TopCondition =
  | { all: Condition[]; priority?: number; name?: string }
  | { any: Condition[]; priority?: number; name?: string }
  | { not: Condition; priority?: number; name?: string }
  | ConditionReference

export type EventLike = Record<string, unknown>
