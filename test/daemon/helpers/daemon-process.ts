import { type ChildProcess, spawn } from 'node:child_process'
import { REPO_ROOT } from '../../helpers/fixtures.js'

export interface DaemonProcess {
  child: ChildProcess
  stdout(): string
  stderr(): string
  /** Parsed JSON log lines from stderr (non-JSON lines skipped). */
  logs(): Array<Record<string, unknown>>
  /** Resolves with the exit code (or 128 + signal number style name) when the process ends. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** Poll `check` until it returns a truthy value (or throw with the output after `timeoutMs`). */
  waitFor<T>(check: () => T | undefined | false | null, timeoutMs: number, what: string): Promise<T>
  /** The `health` URL from the start line. */
  healthUrl(timeoutMs?: number): Promise<string>
  kill(signal?: NodeJS.Signals): void
}

/** Run the CLI from source, as a user would: `node --import tsx src/cli/entry.ts <args>` in the repo root. */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}): DaemonProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/entry.ts', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8')
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8')
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  )
  let done = false
  void exited.then(() => {
    done = true
  })
  const logs = () =>
    err
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>]
        } catch {
          return []
        }
      })
  const proc: DaemonProcess = {
    child,
    stdout: () => out,
    stderr: () => err,
    logs,
    exited,
    async waitFor(check, timeoutMs, what) {
      const until = Date.now() + timeoutMs
      for (;;) {
        const value = check()
        if (value) return value
        if (Date.now() > until || done) {
          const again = check()
          if (again) return again
          throw new Error(
            `timed out waiting for ${what}${done ? ' (process exited)' : ''}\n--- stdout ---\n${out.slice(-3000)}\n--- stderr ---\n${err.slice(-6000)}`,
          )
        }
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    },
    healthUrl(timeoutMs = 20_000) {
      return proc.waitFor(
        () => logs().find((line) => typeof line.health === 'string')?.health as string | undefined,
        timeoutMs,
        'the start line',
      )
    },
    kill(signal = 'SIGTERM') {
      child.kill(signal)
    },
  }
  return proc
}
