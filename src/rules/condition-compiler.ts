import type { Engine } from 'json-rules-engine'
import type { Condition, EventLike, FactCondition } from './condition-types.js'
import { type EngineOperator, engineOperator, referenceEngine } from './engine-factory.js'
import { type PathSegment, parsePath } from './path-resolver.js'

export type Predicate = (event: EventLike) => boolean

const hasOwn = Object.prototype.hasOwnProperty

/** Constants a generated predicate closes over (operator functions, values, parsed paths). */
interface Pool {
  validators: EngineOperator['factValueValidator'][]
  callbacks: EngineOperator['cb'][]
  values: unknown[]
  temps: number
}

function isFactRef(value: unknown): value is { fact: string; path?: string } {
  return value !== null && typeof value === 'object' && hasOwn.call(value, 'fact')
}

/** Property names a plain object or array could inherit: reading those needs an own-property check. */
const inheritable = (name: PropertyKey): boolean => name in Object.prototype || name in Array.prototype

/** JS expression reading `name` from `object` (a variable holding an object), own properties only. */
function readOwn(object: string, name: PathSegment): string {
  const key = JSON.stringify(name)
  return inheritable(name)
    ? `(H.call(${object}, ${key}) ? ${object}[${key}] : undefined)`
    : `${object}[${key}]`
}

/**
 * JS expression reading a fact: a missing fact is undefined (own properties only); with a path, the Almanac's
 * rule: the path applies only when the fact value is a non-null object, and anything missing along it is undefined.
 */
function readFact(fact: unknown, path: unknown, pool: Pool): string | null {
  if (typeof fact !== 'string') return null
  let expr = readOwn('e', fact)
  if (path === undefined || path === '') return expr
  if (typeof path !== 'string') return null
  const segments = parsePath(path)
  if (!segments) return null
  if (segments.length === 0) return expr
  const root = `t${pool.temps++}`
  let inner = readOwn(root, segments[0]!)
  for (const segment of segments.slice(1)) {
    const temp = `t${pool.temps++}`
    inner = `(${temp} = ${inner}, ${temp} !== null && typeof ${temp} === 'object' ? ${readOwn(temp, segment)} : undefined)`
  }
  expr = `(${root} = ${expr}, ${root} !== null && typeof ${root} === 'object' ? ${inner} : ${root})`
  return expr
}

function leaf(condition: FactCondition, engine: Engine, pool: Pool): string | null {
  if (typeof condition.operator !== 'string') return null
  const op = engineOperator(engine, condition.operator)
  if (!op) return null
  const left = readFact(condition.fact, condition.path, pool)
  if (!left) return null
  let right: string
  if (isFactRef(condition.value)) {
    const read = readFact(condition.value.fact, condition.value.path, pool)
    if (!read) return null
    right = read
  } else {
    pool.values.push(condition.value)
    right = `K${pool.values.length - 1}`
  }
  // Operator.evaluate(a, b) is `factValueValidator(a) && cb(a, b)`: the same two functions, called directly.
  pool.validators.push(op.factValueValidator)
  pool.callbacks.push(op.cb)
  const index = pool.validators.length - 1
  const temp = `t${pool.temps++}`
  return `(${temp} = ${left}, V${index}(${temp}) && C${index}(${temp}, ${right}) === true)`
}

function generate(condition: unknown, engine: Engine, pool: Pool): string | null {
  if (condition === null || typeof condition !== 'object') return null
  const has = (key: string) => hasOwn.call(condition, key)
  const node = condition as Record<string, unknown>
  // json-rules-engine: `any` wins over `all` over `not` when several are present; an empty any/all is true.
  if (has('any') || has('all')) {
    const items = has('any') ? node.any : node.all
    if (!Array.isArray(items)) return null
    if (items.length === 0) return 'true'
    const parts: string[] = []
    for (const item of items) {
      const part = generate(item, engine, pool)
      if (part === null) return null
      parts.push(part)
    }
    return `(${parts.join(has('any') ? ' || ' : ' && ')})`
  }
  if (has('not')) {
    if (Array.isArray(node.not)) return null
    const inner = generate(node.not, engine, pool)
    return inner === null ? null : `!${inner}`
  }
  if (has('condition')) return null
  if (!has('fact') || !has('operator') || !has('value')) return null
  return leaf(condition as FactCondition, engine, pool)
}

/**
 * Compile a condition into a synchronous predicate with json-rules-engine's semantics, using the engine's own
 * operator functions. Each condition becomes one generated function (only indices and JSON-quoted field names
 * are written into its source; values, operators and paths are passed in), so V8 sees one call target per
 * site. Returns null for anything outside the simple subset (condition references, unknown shapes, unsupported
 * paths, unknown operators): those are evaluated by a real Engine instead.
 */
export function compileCondition(condition: Condition, engine: Engine = referenceEngine()): Predicate | null {
  const pool: Pool = { validators: [], callbacks: [], values: [], temps: 0 }
  const body = generate(condition, engine, pool)
  if (body === null) return null
  const bind = [
    ...pool.validators.map((_, i) => `const V${i} = VS[${i}], C${i} = CS[${i}];`),
    ...pool.values.map((_, i) => `const K${i} = KS[${i}];`),
  ].join('\n')
  const temps =
    pool.temps > 0 ? `let ${Array.from({ length: pool.temps }, (_, i) => `t${i}`).join(', ')};` : ''
  const source = `${bind}\nreturn function predicate(e) { ${temps} return ${body}; }`
  const factory = new Function('VS', 'CS', 'KS', 'H', source) as (...args: unknown[]) => Predicate
  return factory(pool.validators, pool.callbacks, pool.values, hasOwn)
}
