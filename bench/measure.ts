import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { stderrGist } from './report.js'
import type { WorkerResult } from './worker.js'

export const REPO = path.resolve(import.meta.dirname, '..')
const TIME = '/usr/bin/time'

export interface ChildRun {
  code: number | null
  wallMs: number
  /** Peak resident set size of the child, MB (null when it could not be read). */
  peakRssMb: number | null
  /** User + system CPU time of the child, ms (from /usr/bin/time; null without it): robust to a loaded machine. */
  cpuMs: number | null
  stdout: string
  stderr: string
  /** Lines written to stdout (counted, not kept, when `keepStdout` is false). */
  stdoutLines: number
}

export interface ChildOptions {
  keepStdout?: boolean
  env?: NodeJS.ProcessEnv
  timeoutMs?: number
}

/**
 * Run a command in a child process and measure wall time and peak RSS: through `/usr/bin/time -v` when present,
 * else by polling /proc/<pid>/status (VmHWM). The child is killed after `timeoutMs`.
 */
export function runChild(command: string, args: string[], options: ChildOptions = {}): Promise<ChildRun> {
  const useTime = existsSync(TIME)
  const [cmd, argv] = useTime ? [TIME, ['-v', command, ...args]] : [command, args]
  const start = performance.now()
  const child = spawn(cmd, argv, {
    cwd: REPO,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  let lines = 0
  let hwmKb = 0
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    for (let i = chunk.indexOf('\n'); i >= 0; i = chunk.indexOf('\n', i + 1)) lines++
    if (options.keepStdout !== false) stdout += chunk
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-200_000)
  })
  const poll = useTime
    ? undefined
    : setInterval(() => {
        readFile(`/proc/${child.pid}/status`, 'utf8').then(
          (text) => {
            const kb = Number(/VmHWM:\s+(\d+)/.exec(text)?.[1] ?? 0)
            if (kb > hwmKb) hwmKb = kb
          },
          () => {},
        )
      }, 50)
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30 * 60_000)
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      if (poll) clearInterval(poll)
      const wallMs = performance.now() - start
      let peakKb: number | null = hwmKb || null
      let cpuMs: number | null = null
      if (useTime) {
        const user = /User time \(seconds\): ([\d.]+)/.exec(stderr)
        const system = /System time \(seconds\): ([\d.]+)/.exec(stderr)
        if (user && system) cpuMs = Math.round((Number(user[1]) + Number(system[1])) * 1000)
        const match = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)
        peakKb = match ? Number(match[1]) : null
        stderr = stderr.replace(
          /\n?(Command exited with non-zero status \d+\n)?\tCommand being timed:[\s\S]*$/,
          '\n',
        )
      }
      const peakRssMb = peakKb === null ? null : Math.round(peakKb / 102.4) / 10
      resolve({ code, wallMs, peakRssMb, stdout, stderr, stdoutLines: lines, cpuMs })
    })
  })
}

/** node with the TypeScript loader, as `npm run bench` itself runs. */
export const TSX_NODE = [process.execPath, '--import', 'tsx'] as const

export interface WorkerOptions {
  events: number
  reps: number
  /** Time cap per repetition (ms); the contender reports events/s from what it processed. */
  maxMs: number
}

/** What a bench script printed as its last stdout line (one JSON object), or why there is none. */
export type ScriptRun<T> = { why: string } | { result: T; line: string; peakRssMb: number | null }

/**
 * Run `node [nodeArgs] --import tsx <script> <args>` in a child process and read the JSON object on its last stdout
 * line. A script that cannot load a project module prints `{ "missing": "..." }`: that is a `why` too.
 */
export async function runJsonScript<T>(
  script: string,
  args: string[],
  opts: { timeoutMs?: number; nodeArgs?: string[] } = {},
): Promise<ScriptRun<T>> {
  const argv = [...(opts.nodeArgs ?? []), ...TSX_NODE.slice(1), script, ...args]
  const run = await runChild(TSX_NODE[0], argv, {
    keepStdout: true,
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
  })
  const line = run.stdout.trim().split('\n').pop() ?? ''
  if (run.code !== 0 || !line.startsWith('{')) return { why: `exit ${run.code}: ${stderrGist(run.stderr)}` }
  const result = JSON.parse(line) as T & { missing?: string }
  if (result.missing) return { why: result.missing }
  return { result, line, peakRssMb: run.peakRssMb }
}

/** Measure one contender at one rule count in a fresh child process. */
export async function runWorker(
  contender: string,
  rules: number,
  opts: WorkerOptions,
): Promise<WorkerResult> {
  const args = [contender, String(rules), String(opts.events), String(opts.reps), String(opts.maxMs)]
  const run = await runJsonScript<WorkerResult>('bench/worker.ts', args, { nodeArgs: ['--expose-gc'] })
  if ('why' in run) throw new Error(`worker ${contender}/${rules} failed: ${run.why}`)
  return run.result
}
