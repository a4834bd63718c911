import { findJsonSyntaxError } from './json-syntax.js'

/** 1-based line and column (in UTF-16 units) of an offset into a text. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset)
  const lastBreak = before.lastIndexOf('\n')
  let line = 1
  for (let at = before.indexOf('\n'); at !== -1; at = before.indexOf('\n', at + 1)) line++
  return { line, column: offset - lastBreak }
}

/** Collapse line breaks so a message stays on one line. */
export function oneLineMessage(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim()
}

/**
 * Parse JSON text; on failure a one-line message `<label> at line L column C: reason`, the position found by our
 * own scanner (engines differ in whether and how they report a position).
 */
export function parseJsonText(
  text: string,
  label = 'invalid JSON',
): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch (error) {
    const found = findJsonSyntaxError(text)
    if (found) {
      const { line, column } = lineColumn(text, found.offset)
      return { ok: false, message: `${label} at line ${line} column ${column}: ${found.message}` }
    }
    return { ok: false, message: `${label}: ${oneLineMessage((error as Error).message)}` }
  }
}
