import type { Command } from 'commander'
import { type Config, loadConfig } from '../../config.js'
import { formatIssue, type InputIssue } from '../../errors.js'
import { loadRuleDir } from '../../rules/rule-loader.js'

export interface CommandIo {
  stdout?: NodeJS.WritableStream
  stderr?: NodeJS.WritableStream
  env?: NodeJS.ProcessEnv
}

/** Warnings about the directory as a whole: no rule files, or none enabled (the daemon would never alert). */
function directoryWarnings(dir: string, files: number, rules: number, enabled: number): InputIssue[] {
  if (files === 0)
    return [
      {
        file: dir,
        path: '$',
        message:
          'warning: no rule files (*.json) found; the daemon would run without any rules and never alert',
      },
    ]
  if (rules > 0 && enabled === 0)
    return [
      { file: dir, path: '$', message: 'warning: every rule is disabled; the daemon would never alert' },
    ]
  return []
}

const plural = (count: number, word: string) => `${count} ${word}(s)`

/**
 * `seam-alerts validate [--rules DIR] [--config FILE]`: every problem and warning as one line
 * `file: JSON path: message`; exit code 1 if any problem (warnings alone exit 0). With --config, the config is
 * checked too and the time interval names rules use (muteTimes, inTimeInterval) must be among its timeIntervals;
 * without it, each such name is a warning, since it cannot be checked. --rules defaults to the config's rules
 * directory, else ./rules.
 */
export function register(program: Command, io: CommandIo = {}): void {
  program
    .command('validate')
    .description('Check every rule file; print each problem as "file: JSON path: message"')
    .option('--rules <dir>', "rules directory (default: the config's rules, else ./rules)")
    .option('--config <file>', 'config file: checked too, and resolves the time interval names rules use')
    .action(async (opts: { rules?: string; config?: string }) => {
      const stdout = io.stdout ?? process.stdout
      const env = io.env ?? process.env
      const config: Config | undefined = opts.config ? await loadConfig(opts.config, env) : undefined
      const rules = opts.rules ?? config?.rules ?? './rules'
      const loaded = await loadRuleDir(rules, {
        env,
        intervals: config ? { named: config.timeIntervals } : { withoutConfig: 'warn' },
      })
      const unreadable = loaded.issues.some((issue) => issue.file === rules)
      const enabled = loaded.rules.filter((rule) => rule.enabled).length
      const warnings = [
        ...(unreadable ? [] : directoryWarnings(rules, loaded.files.size, loaded.rules.length, enabled)),
        ...loaded.warnings,
      ]
      for (const issue of loaded.issues) stdout.write(`${formatIssue(issue)}\n`)
      for (const warning of warnings) stdout.write(`${formatIssue(warning)}\n`)
      const warned = warnings.length ? `, ${plural(warnings.length, 'warning')}` : ''
      if (loaded.issues.length > 0) {
        stdout.write(`${plural(loaded.issues.length, 'problem')} in ${rules}${warned}\n`)
        process.exitCode = 1
        return
      }
      stdout.write(
        `${plural(loaded.files.size, 'rule file')} OK in ${rules}: ${plural(loaded.rules.length, 'rule')}, ${enabled} enabled${warned}\n`,
      )
    })
}
