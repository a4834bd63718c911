import { scrubSecrets } from '../secrets/scrub.js'
import { main } from './main.js'

// The process entry: `bin/seam-alerts.js` loads the compiled copy; tests spawn this file with `node --import tsx`.
main(process.argv).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    process.stderr.write(
      `seam-alerts: ${scrubSecrets(error instanceof Error ? (error.stack ?? error.message) : String(error))}\n`,
    )
    process.exitCode = 1
  },
)
