// Regenerates src/rules/seam-event-types.ts (`npm run event-types`): the daemon needs only the event type names,
// and loading the whole @seamapi/types OpenAPI schema at run time costs ~50 MB of memory.
import { writeFileSync } from 'node:fs'
import { documentedEventTypes, renderEventTypesModule } from './event-types-source.js'

const target = new URL('../src/rules/seam-event-types.ts', import.meta.url)
writeFileSync(target, renderEventTypesModule(documentedEventTypes()))
process.stdout.write(`wrote ${target.pathname}\n`)
