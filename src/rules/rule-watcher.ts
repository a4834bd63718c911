import { type FSWatcher, watch } from 'node:fs'
import { formatIssue, type InputIssue } from '../errors.js'
import type { Logger } from '../log.js'
import type { IntervalContext } from './interval-names.js'
import { combineRuleFiles, listRuleFiles, type RuleFileResult, readRuleFile } from './rule-loader.js'
import type { Rule } from './rule-schema.js'
import { RuleSet } from './rule-set.js'

export interface RuleWatcherOptions {
  dir: string
  logger: Logger
  onChange: (ruleSet: RuleSet, issues: InputIssue[]) => void
  /** Quiet time after the last file-system event before reloading (default 200 ms). */
  debounceMs?: number
  /** Periodic full rescan, in case fs.watch misses a change (default 30 s; 0 = off). */
  rescanMs?: number
  env?: NodeJS.ProcessEnv
  /** The config's timeIntervals: names in rules are checked against them and resolved through them. */
  intervals?: IntervalContext
}

/**
 * Loads the rules directory and reloads it on change (fs.watch with debounce, plus a periodic rescan). A broken
 * file is reported and the last good version of its rule keeps running; a removed file removes its rule.
 */
export class RuleWatcher {
  private readonly opts: Required<Omit<RuleWatcherOptions, 'env' | 'intervals'>> & {
    env: NodeJS.ProcessEnv
    intervals: IntervalContext
  }
  private files = new Map<string, RuleFileResult>()
  private readonly lastGood = new Map<string, Rule>()
  private watcher: FSWatcher | undefined
  private debounce: NodeJS.Timeout | undefined
  private rescan: NodeJS.Timeout | undefined
  private reloading: Promise<void> = Promise.resolve()
  private stopped = false

  constructor(opts: RuleWatcherOptions) {
    this.opts = { debounceMs: 200, rescanMs: 30_000, env: process.env, intervals: {}, ...opts }
  }

  async start(): Promise<{ ruleSet: RuleSet; issues: InputIssue[] }> {
    const first = await this.load()
    try {
      this.watcher = watch(this.opts.dir, () => this.schedule())
      this.watcher.on('error', (error) =>
        this.opts.logger.warn({ err: error }, 'rules directory watch failed'),
      )
    } catch (error) {
      this.opts.logger.warn(
        { err: error },
        'cannot watch the rules directory; relying on the periodic rescan',
      )
    }
    if (this.opts.rescanMs > 0) {
      this.rescan = setInterval(() => this.schedule(0), this.opts.rescanMs)
      this.rescan.unref()
    }
    return first
  }

  stop(): void {
    this.stopped = true
    this.watcher?.close()
    clearTimeout(this.debounce)
    clearInterval(this.rescan)
  }

  /** Reload now (also what the watch and the rescan trigger); resolves when done. */
  reload(): Promise<void> {
    this.reloading = this.reloading.then(async () => {
      if (this.stopped) return
      const before = this.files
      const result = await this.load()
      const changed =
        before.size !== this.files.size ||
        [...this.files].some(([file, next]) => before.get(file)?.text !== next.text)
      if (changed) this.opts.onChange(result.ruleSet, result.issues)
    })
    return this.reloading.catch((error) => this.opts.logger.error({ err: error }, 'rule reload failed'))
  }

  private schedule(delay = this.opts.debounceMs): void {
    if (this.stopped) return
    clearTimeout(this.debounce)
    this.debounce = setTimeout(() => void this.reload(), delay)
    this.debounce.unref()
  }

  private async load(): Promise<{ ruleSet: RuleSet; issues: InputIssue[] }> {
    let names: string[]
    try {
      names = await listRuleFiles(this.opts.dir)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error)
      const issue = { file: this.opts.dir, path: '$', message: `cannot read the rules directory (${code})` }
      this.opts.logger.error(formatIssue(issue))
      return {
        ruleSet: RuleSet.from([...this.lastGood.values()], this.opts.intervals.named),
        issues: [issue],
      }
    }
    const files = new Map<string, RuleFileResult>()
    for (const file of names) {
      const previous = this.files.get(file)
      const next = await readRuleFile(file, this.opts.env, this.opts.intervals)
      files.set(file, previous && previous.text === next.text && next.text !== undefined ? previous : next)
    }
    for (const file of this.lastGood.keys()) if (!files.has(file)) this.lastGood.delete(file)
    const effective = new Map<string, RuleFileResult>()
    for (const [file, result] of files) {
      if (result.rule) {
        this.lastGood.set(file, result.rule)
        effective.set(file, result)
        continue
      }
      const good = this.lastGood.get(file)
      if (good) {
        this.opts.logger.error(
          `${file}: keeping the last good version of rule "${good.id}" until the file is fixed`,
        )
        effective.set(file, { rule: good, issues: result.issues })
      } else effective.set(file, result)
    }
    this.files = files
    const combined = combineRuleFiles(effective)
    return { ruleSet: RuleSet.from(combined.rules, this.opts.intervals.named), issues: combined.issues }
  }
}
