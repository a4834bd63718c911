import { sendSignal } from './channels.js'
import { httpFailure, postJson } from './http-post.js'
import { buildAlertContent } from './message.js'
import { type AlertMessage, DeliveryError, type DeliveryReceipt, type Notifier } from './notifier.js'
import { renderTeams } from './render-teams.js'

/**
 * Microsoft Teams through a Workflows "When a Teams webhook request is received" URL (the action's
 * `webhookUrl`, a secret resolved at send time): an Adaptive Card 1.4 message per alert, resolve or rollup.
 * 2xx (Workflows answers 202) counts as sent; 408, 429 and 5xx are retried; redirects and other 4xx are permanent.
 */
export class TeamsNotifier implements Notifier {
  constructor(private readonly now: () => number = Date.now) {}

  async send(message: AlertMessage, signal: AbortSignal = sendSignal('teams')): Promise<DeliveryReceipt> {
    const url = message.action.type === 'teams' ? message.action.webhookUrl : undefined
    if (!url) throw new DeliveryError('teams: the action has no webhookUrl', { retryable: false })
    const body = JSON.stringify(renderTeams(buildAlertContent(message)))
    const answer = await postJson('teams', url, body, {}, signal)
    const failure = httpFailure('teams', answer, this.now())
    if (failure) throw failure
    return { ref: message.id }
  }
}
