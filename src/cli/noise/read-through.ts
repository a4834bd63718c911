import type { State } from '../../state/state-schema.js'
import { apiErrorText, callApi, DaemonUnreachable, findDaemon } from './daemon-link.js'
import { CliFailure, usage } from './failure.js'
import type { NoiseCliSettings } from './settings.js'
import { readSavedState } from './state-access.js'

/**
 * Read something the daemon's API serves (`GET apiPath`) while it runs, and from the saved state file otherwise.
 * The daemon saves before it adopts a change, so the file holds what its API shows; when the daemon runs but its
 * API cannot be reached, the file is read and stderr says so.
 */
export async function readThrough<T>(
  settings: NoiseCliSettings,
  apiPath: string,
  fromState: (state: State) => T,
  stderr: { write(text: string): unknown },
): Promise<T> {
  const daemon = await findDaemon(settings)
  if (daemon) {
    try {
      const answer = await callApi(settings, daemon, 'GET', apiPath)
      if (answer.status === 200) return answer.body as T
      const text = apiErrorText(answer)
      throw answer.status === 400 ? usage(text) : new CliFailure(text)
    } catch (error) {
      if (!(error instanceof DaemonUnreachable)) throw error
      stderr.write(`seam-alerts: ${error.message.split('. ')[0]}; reading the saved state instead.\n`)
    }
  }
  return fromState(await readSavedState(settings))
}
