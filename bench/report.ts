/** Options every section receives. */
export interface BenchOptions {
  quick: boolean
  /** Run the CLI from dist/ (bin/seam-alerts.js, after `npm run build`) instead of from source through tsx. */
  dist?: boolean
}

/** Prints human-readable lines as the run goes (stdout); the JSON summary is printed last by run.ts. */
export function say(text: string): void {
  process.stdout.write(text + '\n')
}

export function skipped(section: string, why: string): void {
  say(`${section}: skipped: ${why}`)
}

/** Right-align numbers in a fixed-width table row. */
export function row(cells: Array<string | number | null>, widths: number[]): string {
  return cells
    .map((cell, i) => {
      const text = cell === null ? '-' : typeof cell === 'number' ? cell.toLocaleString('en-US') : cell
      return i === 0 ? text.padEnd(widths[i] ?? 12) : text.padStart(widths[i] ?? 12)
    })
    .join(' ')
}

export const errorText = (error: unknown): string =>
  error instanceof Error ? error.message.split('\n')[0]! : String(error)

/** The informative lines of a child's stderr (stack frames dropped), last few, on one line. */
export function stderrGist(stderr: string, lines = 3): string {
  return stderr
    .split('\n')
    .filter((line) => line.trim() && !/^\s+at /.test(line) && !/^Node\.js v/.test(line))
    .slice(-lines)
    .join(' | ')
}
