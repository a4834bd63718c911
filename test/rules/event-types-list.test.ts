import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { documentedEventTypes, renderEventTypesModule } from '../../scripts/event-types-source.js'
import { SEAM_EVENT_TYPES } from '../../src/rules/seam-event-types.js'

describe('the generated list of Seam event types', () => {
  it('is exactly what @seamapi/types documents (run `npm run event-types` after upgrading it)', () => {
    const documented = documentedEventTypes()
    expect(documented.length).toBeGreaterThan(50)
    expect([...SEAM_EVENT_TYPES]).toEqual(documented)
    const committed = readFileSync(new URL('../../src/rules/seam-event-types.ts', import.meta.url), 'utf8')
    expect(committed).toBe(renderEventTypesModule(documented))
  })
})
