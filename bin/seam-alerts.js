#!/usr/bin/env node
// Entry point installed as `seam-alerts`. The TypeScript sources are compiled to dist/ by `npm install` (prepare).
import { main } from '../dist/cli/main.js'

main(process.argv).then(
  (code) => {
    process.exitCode = code
  },
  (error) => {
    process.stderr.write(`seam-alerts: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exitCode = 1
  },
)
