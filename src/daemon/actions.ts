import type { Action } from '../rules/action-schema.js'

/** What the daemon needs to know about a rule (structural, so tests can pass plain objects). */
export interface RuleInfo {
  id: string
  description?: string
  severity?: string
  actions: Action[]
  digest?: { cron: string; timezone?: string }
}

export interface RuleLookup {
  get(id: string): RuleInfo | undefined
}

/** Rule id prefix of the daemon's own meta-alerts (Seam unreachable, cursor lag). */
export const MONITOR_RULE_PREFIX = 'seam-alerts.monitor:'

/**
 * Which actions an alert goes to. Normally a rule's own `actions`, plus a console action when `console` is on.
 * The sandbox replaces every rule's actions with its own list (console, and Slack/email from the environment).
 * Outbox items name their action by reference (`rule:<id>#<i>`, `monitor#<i>`) and are resolved here again at
 * send time, so secrets such as webhook URLs never sit in the state file.
 */
export class ActionPolicy {
  constructor(
    private readonly opts: {
      console: boolean
      monitorActions: Action[]
      /** Sandbox: every alert goes to exactly these actions. */
      override?: Action[]
    },
  ) {}

  private withConsole(actions: Action[]): Action[] {
    if (!this.opts.console || actions.some((a) => a.type === 'console')) return actions
    return [...actions, { type: 'console' }]
  }

  forRule(rule: Pick<RuleInfo, 'actions'>): Action[] {
    if (this.opts.override) return this.opts.override
    return this.withConsole(rule.actions)
  }

  forMonitor(): Action[] {
    if (this.opts.override) return this.opts.override
    return this.withConsole(this.opts.monitorActions)
  }

  /** Every action type any alert can go to (to decide which channels to build). */
  types(rules: Iterable<Pick<RuleInfo, 'actions'>>): Set<Action['type']> {
    const types = new Set<Action['type']>()
    for (const a of this.forMonitor()) types.add(a.type)
    for (const rule of rules) for (const a of this.forRule(rule)) types.add(a.type)
    return types
  }

  resolve(actionRef: string, rules: RuleLookup): Action | undefined {
    const monitor = /^monitor#(\d+)$/.exec(actionRef)
    if (monitor) return this.forMonitor()[Number(monitor[1])]
    const ruleRef = /^rule:(.*)#(\d+)$/.exec(actionRef)
    if (!ruleRef) return undefined
    const rule = rules.get(ruleRef[1] ?? '')
    return rule ? this.forRule(rule)[Number(ruleRef[2])] : undefined
  }
}
