/** Parse JSON text; on failure, a message with line and column when the parser gives a position. */
export function parseJsonText(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch (error) {
    const raw = (error as Error).message
    const position = /at position (\d+)/.exec(raw)
    if (position && !/line \d+/.test(raw)) {
      const offset = Number(position[1])
      const before = text.slice(0, offset).split('\n')
      const line = before.length
      const column = before[before.length - 1]!.length + 1
      return { ok: false, message: `invalid JSON at line ${line} column ${column}: ${raw}` }
    }
    return { ok: false, message: `invalid JSON: ${raw}` }
  }
}
