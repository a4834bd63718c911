import { existsSync } from 'node:fs'
import path from 'node:path'
import type { Command } from 'commander'
import { loadConfig } from '../../config.js'
import type { DaemonHandle } from '../../daemon/daemon.js'
import type { Sandbox } from '../../daemon/sandbox.js'
import { type ErrorCode, SeamAlertsError } from '../../errors.js'
import { createLogger } from '../../log.js'
import { scrubSecrets } from '../../secrets/scrub.js'

interface RunOptions {
  config?: string
  once?: boolean
  sandbox?: boolean
}

/**
 * Problems a restart cannot fix exit with 78 (EX_CONFIG), so a supervisor can stop restarting
 * (systemd: RestartPreventExitStatus=78). Everything else unexpected exits 1 and may be restarted.
 */
export const EXIT_CONFIG = 78
/**
 * The state lock was lost and could not be taken back within `limits.lockLostMax` (or the file was written by
 * another process meanwhile): exit 75 (EX_TEMPFAIL), a temporary failure a supervisor should restart
 * (systemd Restart=on-failure does).
 */
export const EXIT_TEMPFAIL = 75
const NO_RESTART: ReadonlySet<ErrorCode> = new Set([
  'CONFIG_INVALID',
  'CONFIG_ENV_MISSING',
  'SEAM_AUTH',
  'STATE_CORRUPT',
  'STATE_TOO_LARGE',
])

/** How long after a clean stop the process may linger (open sockets, logs flushing) before it is ended. */
const EXIT_GRACE_MS = 3000

async function run(options: RunOptions): Promise<void> {
  const logger = createLogger()
  // Loaded on use: the CLI's other commands should not pay for the daemon (or the sandbox's fake Seam API).
  const { startDaemon } = await import('../../daemon/daemon.js')
  const { installProcessHooks } = await import('../../daemon/signals.js')
  const defaultConfig = path.resolve('config.json')
  const useSandbox = options.sandbox || (!options.config && !existsSync(defaultConfig))
  let sandbox: Sandbox | undefined
  let handle: DaemonHandle
  if (useSandbox) {
    const { startSandbox } = await import('../../daemon/sandbox.js')
    sandbox = await startSandbox({ logger })
    process.stderr.write(sandbox.banner)
    try {
      handle = await startDaemon({
        config: sandbox.config,
        logger,
        once: options.once,
        actionsOverride: sandbox.actions,
      })
    } catch (error) {
      await sandbox.close()
      throw error
    }
    sandbox.scenario.start()
  } else {
    const config = await loadConfig(options.config ?? defaultConfig)
    handle = await startDaemon({ config, logger, once: options.once })
  }
  const hooks = installProcessHooks({
    logger,
    shutdown: () => handle.stop(),
    emergency: () => handle.release(),
  })
  try {
    await handle.done
  } finally {
    hooks.uninstall()
    await sandbox?.close()
    logger.flush?.()
    // Nothing should keep the process alive now; if something does, do not become a zombie.
    setTimeout(() => process.exit(process.exitCode ?? 0), EXIT_GRACE_MS).unref()
  }
}

export function register(program: Command): void {
  program
    .command('run')
    .description(
      'Run the alerting daemon. With no --config and no ./config.json it runs the embedded sandbox (a fake Seam API with sample events).',
    )
    .option('-c, --config <file>', 'config file (default ./config.json)')
    .option('--once', 'run one poll cycle (catching up fully), deliver what is due, fire due timers, exit')
    .option('--sandbox', 'run against the embedded fake Seam API even when a config exists')
    .action(async (options: RunOptions) => {
      try {
        await run(options)
        process.exitCode = 0
      } catch (error) {
        if (error instanceof SeamAlertsError && NO_RESTART.has(error.code)) {
          process.stderr.write(`seam-alerts: ${scrubSecrets(error.message)}\n`)
          process.exitCode = EXIT_CONFIG
          return
        }
        if (error instanceof SeamAlertsError && error.code === 'STATE_LOCK_LOST') {
          process.stderr.write(`seam-alerts: ${error.message}\n`)
          process.exitCode = EXIT_TEMPFAIL
          return
        }
        throw error
      }
    })
}
