import { Engine, type TopLevelCondition } from 'json-rules-engine'
import { CUSTOM_OPERATORS } from './custom-operators.js'
import { resolvePath } from './path-resolver.js'

/** An operator as json-rules-engine holds it (built-in, custom, or decorated like `not:in`). */
export interface EngineOperator {
  evaluate(factValue: unknown, value: unknown): boolean
  cb(factValue: unknown, value: unknown): boolean
  factValueValidator(factValue: unknown): boolean
}

interface OperatorMapLike {
  get(name: string): EngineOperator | null
  operators: Map<string, unknown>
  decorators: Map<string, unknown>
}

/**
 * A json-rules-engine Engine set up the way seam-alerts uses it everywhere: a fact the event lacks is undefined (not
 * an error), paths go through the simple resolver, and the custom operators are registered.
 */
export function createEngine(sharedConditions: Record<string, TopLevelCondition> = {}): Engine {
  const engine = new Engine([], { allowUndefinedFacts: true, pathResolver: resolvePath })
  for (const op of CUSTOM_OPERATORS) engine.addOperator(op.name, op.evaluate)
  for (const [name, condition] of Object.entries(sharedConditions)) engine.setCondition(name, condition)
  return engine
}

function operatorMap(engine: Engine): OperatorMapLike {
  return (engine as unknown as { operators: OperatorMapLike }).operators
}

/** The engine's own operator for a name (decorators such as `not:` or `someFact:` applied), or null. */
export function engineOperator(engine: Engine, name: string): EngineOperator | null {
  return operatorMap(engine).get(name)
}

let reference: Engine | undefined

/** One shared engine used only to look operators up (never run). */
export function referenceEngine(): Engine {
  reference ??= createEngine()
  return reference
}

/** Operator names and decorator names known to the engine, for "unknown operator" messages. */
export function knownOperators(): { operators: string[]; decorators: string[] } {
  const map = operatorMap(referenceEngine())
  return {
    operators: [...map.operators.keys()].filter((name) => !name.includes(':')),
    decorators: [...map.decorators.keys()],
  }
}
