import { type InputIssue, jsonPath } from '../errors.js'

/**
 * JSON containers (objects and arrays) anywhere in an input file, the document itself being level 1. Far more
 * than any config or rule needs, and far less than what overflows the stack of a recursive walk.
 */
export const MAX_JSON_DEPTH = 100

const isContainer = (value: unknown): value is object => value !== null && typeof value === 'object'

/** The path of the first container deeper than MAX_JSON_DEPTH, or undefined. Iterative. */
export function tooDeepJson(document: unknown): PropertyKey[] | undefined {
  const stack: { path: PropertyKey[]; node: unknown; depth: number }[] = [
    { path: [], node: document, depth: 1 },
  ]
  while (stack.length > 0) {
    const { path, node, depth } = stack.pop()!
    if (!isContainer(node)) continue
    if (depth > MAX_JSON_DEPTH) return path
    const children: [PropertyKey, unknown][] = Array.isArray(node)
      ? node.map((item, index) => [index, item])
      : Object.entries(node)
    for (let index = children.length - 1; index >= 0; index--) {
      const [key, child] = children[index]!
      if (isContainer(child)) stack.push({ path: [...path, key], node: child, depth: depth + 1 })
    }
  }
  return undefined
}

/** `file: $.path: JSON nested more than 100 levels deep`, or undefined. */
export function jsonDepthIssue(document: unknown, file: string): InputIssue | undefined {
  const at = tooDeepJson(document)
  if (!at) return undefined
  return {
    file,
    path: jsonPath(at),
    message: `JSON nested more than ${MAX_JSON_DEPTH} levels deep (the limit is ${MAX_JSON_DEPTH})`,
  }
}
