import type { Command } from 'commander'
import { formatIssue } from '../../errors.js'
import { loadRuleDir } from '../../rules/rule-loader.js'

export interface CommandIo {
  stdout?: NodeJS.WritableStream
  stderr?: NodeJS.WritableStream
  env?: NodeJS.ProcessEnv
}

/** `seam-alerts validate [--rules DIR]`: every problem as `file: JSON path: message`; exit code 1 if any. */
export function register(program: Command, io: CommandIo = {}): void {
  program
    .command('validate')
    .description('Check every rule file; print each problem as "file: JSON path: message"')
    .option('--rules <dir>', 'rules directory', './rules')
    .action(async (opts: { rules: string }) => {
      const stdout = io.stdout ?? process.stdout
      const loaded = await loadRuleDir(opts.rules, { env: io.env ?? process.env })
      for (const issue of loaded.issues) stdout.write(`${formatIssue(issue)}\n`)
      for (const warning of loaded.warnings) stdout.write(`${formatIssue(warning)}\n`)
      if (loaded.issues.length > 0) {
        stdout.write(`${loaded.issues.length} problem(s) in ${opts.rules}\n`)
        process.exitCode = 1
        return
      }
      const enabled = loaded.rules.filter((rule) => rule.enabled).length
      const warned = loaded.warnings.length ? `, ${loaded.warnings.length} warning(s)` : ''
      stdout.write(
        `${loaded.files.size} rule file(s) OK in ${opts.rules}: ${loaded.rules.length} rule(s), ${enabled} enabled${warned}\n`,
      )
    })
}
