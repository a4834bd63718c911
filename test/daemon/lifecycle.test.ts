import { describe, expect, it } from 'vitest'
import { Lifecycle } from '../../src/daemon/lifecycle.js'
import { captureLogger } from '../helpers/fixtures.js'

describe('Lifecycle', () => {
  it('starts in registration order and stops in reverse, the signal aborted before the first stop', async () => {
    const log = captureLogger()
    const lifecycle = new Lifecycle(log.logger)
    const seen: string[] = []
    for (const name of ['state', 'server', 'worker', 'loop']) {
      lifecycle.add({
        name,
        start: () => {
          seen.push(`start ${name}`)
        },
        stop: async () => {
          seen.push(`stop ${name}${lifecycle.signal.aborted ? ' (aborted)' : ''}`)
          if (name === 'worker') throw new Error('flush failed')
        },
      })
    }
    lifecycle.add({ name: 'no hooks' })
    await lifecycle.start()
    expect(lifecycle.signal.aborted).toBe(false)
    const first = lifecycle.stop()
    expect(lifecycle.stop()).toBe(first)
    await first
    expect(seen).toEqual([
      'start state',
      'start server',
      'start worker',
      'start loop',
      'stop loop (aborted)',
      'stop worker (aborted)',
      'stop server (aborted)',
      'stop state (aborted)',
    ])
    // A failing stop is logged, naming the component, and the unwinding goes on.
    expect(log.lines).toMatchObject([{ level: 50, component: 'worker', msg: 'stopping worker failed' }])
  })
})
