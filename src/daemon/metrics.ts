import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'

/**
 * The daemon's Prometheus metrics, on a registry of their own (never the global one, so two daemons in one
 * process - tests - do not collide). Names use the `seam_alerts_` prefix.
 */
export class DaemonMetrics {
  readonly registry = new Registry()

  readonly eventsFetched = new Counter({
    name: 'seam_alerts_events_fetched_total',
    help: 'Events fetched from the source and handed to the rules.',
    registers: [this.registry],
  })
  readonly eventsRejected = new Counter({
    name: 'seam_alerts_events_rejected_total',
    help: 'Events skipped because they failed validation.',
    registers: [this.registry],
  })
  readonly eventsFailed = new Counter({
    name: 'seam_alerts_events_failed_total',
    help: 'Events skipped because evaluating or recording them threw (their effects undone).',
    registers: [this.registry],
  })
  readonly eventsClamped = new Counter({
    name: 'seam_alerts_events_time_clamped_total',
    help: 'Events whose occurred_at was more than limits.occurredAtSkew ahead of created_at: the rules used created_at.',
    registers: [this.registry],
  })
  readonly eventsEvaluated = new Counter({
    name: 'seam_alerts_events_evaluated_total',
    help: 'Events evaluated against the rules.',
    registers: [this.registry],
  })
  readonly alertsFired = new Counter({
    name: 'seam_alerts_alerts_fired_total',
    help: 'Rule decisions (fire or resolve) per rule.',
    labelNames: ['rule', 'kind'],
    registers: [this.registry],
  })
  readonly alertsSuppressed = new Counter({
    name: 'seam_alerts_alerts_suppressed_total',
    help: 'Fires suppressed by a rule throttle (reported on the next fire).',
    labelNames: ['rule'],
    registers: [this.registry],
  })
  readonly silenced = new Counter({
    name: 'seam_alerts_silenced_total',
    help: 'Alerts held back by a silence, per rule (issue 12; each is in the history with the silence id).',
    labelNames: ['rule'],
    registers: [this.registry],
  })
  readonly muted = new Counter({
    name: 'seam_alerts_muted_total',
    help: "Alerts held back because the wall clock was inside one of the rule's muteTimes, per rule.",
    labelNames: ['rule'],
    registers: [this.registry],
  })
  readonly inhibited = new Counter({
    name: 'seam_alerts_inhibited_total',
    help: 'Alerts held back by an open incident of an inhibitedBy rule, per rule.',
    labelNames: ['rule'],
    registers: [this.registry],
  })
  readonly acknowledgedHeld = new Counter({
    name: 'seam_alerts_acknowledged_held_total',
    help: 'Throttled repeats held back on every channel because their incident was acknowledged (in the history as acknowledged), per rule.',
    labelNames: ['rule'],
    registers: [this.registry],
  })
  readonly slackSocketConnected = new Gauge({
    name: 'seam_alerts_slack_socket_connected',
    help: 'With slack.appToken: 1 while the Socket Mode connection is up (hello received), 0 while connecting or disconnected.',
    registers: [this.registry],
  })
  readonly slackSocketConnects = new Counter({
    name: 'seam_alerts_slack_socket_connects_total',
    help: 'Socket Mode connections established (hello received), including every reconnect.',
    registers: [this.registry],
  })
  readonly slackActions = new Counter({
    name: 'seam_alerts_slack_actions_total',
    help: 'Slack button clicks handled, by action (acknowledge, silence, other) and outcome (acknowledged, silenced, duplicate, unknown, invalid, failed).',
    labelNames: ['action', 'outcome'],
    registers: [this.registry],
  })
  readonly deliveries = new Counter({
    name: 'seam_alerts_deliveries_total',
    help: 'Delivery outcomes per rule and channel: sent, retry (failed, will retry), dead (dead-lettered).',
    labelNames: ['rule', 'channel', 'outcome'],
    registers: [this.registry],
  })
  readonly conditionErrors = new Counter({
    name: 'seam_alerts_condition_errors_total',
    help: 'Rule conditions that threw on an event (the rule did not match it), per rule.',
    labelNames: ['rule'],
    registers: [this.registry],
  })
  readonly firstSeenEvicted = new Counter({
    name: 'seam_alerts_first_seen_evicted_total',
    help: 'Remembered tuples first-seen rules evicted at limits.firstSeenMax (oldest first), per rule.',
    labelNames: ['rule'],
    registers: [this.registry],
  })
  readonly pollLatency = new Histogram({
    name: 'seam_alerts_poll_duration_seconds',
    help: 'Duration of one fetch from the Seam API (including retries).',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  })
  readonly pollFailures = new Counter({
    name: 'seam_alerts_poll_failures_total',
    help: 'Poll cycles that failed (Seam unavailable or state write failed).',
    registers: [this.registry],
  })
  readonly cursorLag = new Gauge({
    name: 'seam_alerts_cursor_lag_seconds',
    help: 'How far the event cursor is behind the wall clock.',
    registers: [this.registry],
  })
  readonly stateWrite = new Histogram({
    name: 'seam_alerts_state_write_duration_seconds',
    help: 'Duration of one durable state write.',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers: [this.registry],
  })
  readonly stateBytes = new Gauge({
    name: 'seam_alerts_state_bytes',
    help: 'Size of the state file at the last write.',
    registers: [this.registry],
  })
  readonly outboxSize = new Gauge({
    name: 'seam_alerts_outbox_size',
    help: 'Alerts waiting in the outbox.',
    registers: [this.registry],
  })
  readonly deadLetters = new Gauge({
    name: 'seam_alerts_dead_letters',
    help: 'Alerts in the dead-letter list.',
    registers: [this.registry],
  })
  readonly heartbeats = new Counter({
    name: 'seam_alerts_heartbeats_total',
    help: 'Heartbeat calls (heartbeat.url): ok, fail (the /fail call while unhealthy), skipped (unhealthy), error (could not reach it).',
    labelNames: ['outcome'],
    registers: [this.registry],
  })
  readonly up = new Gauge({
    name: 'seam_alerts_healthy',
    help: '1 while polling works, 0 while /healthz reports 503.',
    registers: [this.registry],
  })

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    if (opts.defaultMetrics ?? true)
      collectDefaultMetrics({ register: this.registry, prefix: 'seam_alerts_' })
  }

  /** The channel part of an outbox target: `slack:#x` -> `slack`, `email:a@b` -> `email`. */
  static channelOf(target: string): string {
    const colon = target.indexOf(':')
    return colon === -1 ? target : target.slice(0, colon)
  }
}
