#!/usr/bin/env node
// Entry point installed as `seam-alerts`. The TypeScript sources are compiled to dist/ by `npm install` (prepare).
import '../dist/cli/entry.js'
