/** Where and why a JSON text is invalid: `offset` is a UTF-16 index into the text (text.length = at the end). */
export interface JsonSyntaxError {
  offset: number
  message: string
}

class Found extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(reason)
  }
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r'])
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't'])
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y

/** A character for a one-line message: quoted when printable, `U+XXXX` otherwise. */
function show(text: string, at: number): string {
  if (at >= text.length) return 'end of input'
  const code = text.codePointAt(at) ?? 0
  const char = String.fromCodePoint(code)
  if (/[\p{C}\p{Z}]/u.test(char) && char !== ' ')
    return `character U+${code.toString(16).toUpperCase().padStart(4, '0')}`
  return JSON.stringify(char)
}

/**
 * A small JSON (RFC 8259) scanner that finds the first syntax error and its offset, independent of how the
 * JavaScript engine words (or positions) its own error. Iterative, so deep nesting cannot overflow the stack.
 * Returns undefined when the text is valid JSON.
 */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  let i = 0
  const fail = (reason: string, at = i): never => {
    throw new Found(at, reason)
  }
  const unexpected = (expected: string): never =>
    fail(
      i >= text.length
        ? `unexpected end of input, expected ${expected}`
        : `unexpected ${show(text, i)}, expected ${expected}`,
    )
  const skipSpace = () => {
    while (i < text.length && WHITESPACE.has(text[i]!)) i++
  }
  const string = () => {
    const start = i
    i++
    for (;;) {
      if (i >= text.length) fail('unterminated string', start)
      const char = text[i]!
      if (char === '"') {
        i++
        return
      }
      if (char === '\\') {
        const next = text[i + 1]
        if (next === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6)))
            fail('bad \\u escape in string (expected 4 hex digits)')
          i += 6
        } else if (next !== undefined && ESCAPES.has(next)) i += 2
        else
          fail(
            i + 1 >= text.length
              ? 'unterminated string'
              : `bad escape in string: backslash before ${show(text, i + 1)}`,
            i + 1 >= text.length ? start : i,
          )
        continue
      }
      if (char.charCodeAt(0) < 0x20)
        fail(
          char === '\n' || char === '\r'
            ? 'line break inside a string (write it as \\n)'
            : `${show(text, i)} inside a string`,
        )
      i++
    }
  }
  const key = () => {
    skipSpace()
    if (text[i] !== '"') unexpected('a property name in double quotes')
    string()
    skipSpace()
    if (text[i] !== ':') unexpected('":" after the property name')
    i++
  }
  const scalar = () => {
    const char = text[i]
    if (char === '"') return string()
    if (char === '-' || (char !== undefined && char >= '0' && char <= '9')) {
      NUMBER.lastIndex = i
      const match = NUMBER.exec(text)
      if (!match || match[0] === '-') fail('invalid number')
      i += match![0].length
      return
    }
    for (const word of ['true', 'false', 'null'])
      if (text.startsWith(word, i)) {
        i += word.length
        return
      }
    unexpected('a value')
  }

  const stack: Array<'{' | '['> = []
  try {
    for (;;) {
      // A value starts here.
      skipSpace()
      const char = text[i]
      if (char === '{' || char === '[') {
        i++
        skipSpace()
        const close = char === '{' ? '}' : ']'
        if (text[i] === close) i++
        else {
          stack.push(char)
          if (char === '{') key()
          continue
        }
      } else scalar()
      // After a value: close containers, or move on to the next element.
      let next = false
      while (!next) {
        skipSpace()
        const top = stack.at(-1)
        if (top === undefined) {
          if (i < text.length) fail(`unexpected ${show(text, i)} after the end of the JSON value`)
          return undefined
        }
        const close = top === '{' ? '}' : ']'
        if (text[i] === ',') {
          i++
          if (top === '{') key()
          next = true
        } else if (text[i] === close) {
          i++
          stack.pop()
        } else unexpected(`"," or "${close}"`)
      }
    }
  } catch (error) {
    if (error instanceof Found) return { offset: error.offset, message: error.reason }
    throw error
  }
}
