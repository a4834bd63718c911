import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { DaemonMetrics } from '../../src/daemon/metrics.js'
import { REPO_ROOT } from '../helpers/fixtures.js'

describe('docs/operations.md', () => {
  it('lists every metric the daemon registers (a new metric needs its row in the table)', async () => {
    const doc = await readFile(`${REPO_ROOT}docs/operations.md`, 'utf8')
    const names = new DaemonMetrics().registry
      .getMetricsAsArray()
      .map((metric) => metric.name)
      .filter(
        (name) =>
          name.startsWith('seam_alerts_') &&
          !name.startsWith('seam_alerts_process_') &&
          !name.startsWith('seam_alerts_nodejs_'),
      )
    expect(names.length).toBeGreaterThan(25)
    expect(names.filter((name) => !doc.includes(`\`${name}\``))).toEqual([])
  })
})
