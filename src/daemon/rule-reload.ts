import type { InputIssue } from '../errors.js'
import type { Rule } from '../rules/rule-schema.js'
import { RuleSet } from '../rules/rule-set.js'
import type { RuleState } from '../rules/rule-state.js'
import { RuleWatcher } from '../rules/rule-watcher.js'
import type { RuleInfo, RuleLookup } from './actions.js'
import type { DaemonContext } from './context.js'
import { logRuleIssues } from './start-line.js'

/** What a reload updates besides the rule set. They are built from the first rule set, so they connect after it. */
export interface ReloadTargets {
  /** Asks Seam for the rules' event types only: follows a reload as soon as it is read. */
  source: { setEventTypes(types: string[] | null): void }
  evaluator: { setRuleSet(ruleSet: RuleSet, state: RuleState): void }
  /** Absent with --once (nothing is scheduled). */
  digests?: { reschedule(rules: readonly RuleInfo[]): void }
  /** Warns about rules whose actions need a channel that is not configured. */
  warnUnroutable(rules: readonly RuleInfo[]): void
}

/** The rules that run (a rule file may say `"enabled": false`). */
export const enabledRules = (ruleSet: RuleSet): Rule[] => ruleSet.rules.filter((rule) => rule.enabled)

/**
 * The live rule set. The rules directory is loaded at start and then watched; a broken file keeps the last good
 * version of its rule running. A reload is read at once but takes effect between cycles: `apply()` swaps it in,
 * moves the rule state over (one state update), reschedules the digests and warns about undeliverable rules.
 */
export class RuleReload implements RuleLookup {
  #current = RuleSet.from([])
  #pending: RuleSet | undefined
  #targets: ReloadTargets | undefined
  readonly #watcher: RuleWatcher

  private constructor(private readonly ctx: Pick<DaemonContext, 'config' | 'logger' | 'state'>) {
    this.#watcher = new RuleWatcher({
      dir: ctx.config.rules,
      logger: ctx.logger,
      intervals: { named: ctx.config.timeIntervals },
      onChange: (next, issues) => this.#read(next, issues),
    })
  }

  /** Load the rules directory and watch it until the daemon stops. */
  static async start(
    ctx: Pick<DaemonContext, 'config' | 'logger' | 'state' | 'lifecycle'>,
  ): Promise<RuleReload> {
    const reload = new RuleReload(ctx)
    ctx.lifecycle.add({ name: 'rule watcher', stop: () => reload.#watcher.stop() })
    const loaded = await reload.#watcher.start()
    reload.#current = loaded.ruleSet
    logRuleIssues(ctx.logger, loaded.issues)
    return reload
  }

  /** The rule set in effect. */
  get current(): RuleSet {
    return this.#current
  }

  enabled(): Rule[] {
    return enabledRules(this.#current)
  }

  get(id: string): Rule | undefined {
    return this.#current.get(id)
  }

  connect(targets: ReloadTargets): void {
    this.#targets = targets
    if (this.#pending) targets.source.setEventTypes(this.#pending.apiEventTypes())
  }

  /** Between cycles: put the last reload read into effect (nothing to do without one). */
  async apply(): Promise<void> {
    const next = this.#pending
    const targets = this.#targets
    if (!next || !targets) return
    this.#pending = undefined
    this.#current = next
    await this.ctx.state.update((draft) => targets.evaluator.setRuleSet(next, draft.rules))
    targets.digests?.reschedule(enabledRules(next))
    targets.warnUnroutable(enabledRules(next))
  }

  #read(next: RuleSet, issues: InputIssue[]): void {
    logRuleIssues(this.ctx.logger, issues)
    this.#pending = next
    this.#targets?.source.setEventTypes(next.apiEventTypes())
    const ids = enabledRules(next).map((rule) => rule.id)
    this.ctx.logger.info({ rules: ids }, `rules reloaded: ${ids.length} rules`)
  }
}
