import { describe, expect, it } from 'vitest'
import { installProcessHooks } from '../../src/daemon/signals.js'
import { silentLogger } from '../../src/log.js'

describe('process hooks', () => {
  it('shuts down on the first signal and exits at once on the second', async () => {
    const exits: number[] = []
    let shutdowns = 0
    let finish: () => void = () => {}
    const hooks = installProcessHooks({
      logger: silentLogger,
      shutdown: () => {
        shutdowns++
        return new Promise<void>((resolve) => {
          finish = resolve
        })
      },
      emergency: async () => {},
      exit: (code) => exits.push(code),
    })
    try {
      process.emit('SIGTERM', 'SIGTERM')
      expect(shutdowns).toBe(1)
      expect(exits).toEqual([])
      process.emit('SIGINT', 'SIGINT')
      expect(shutdowns).toBe(1)
      expect(exits).toEqual([130])
      finish()
    } finally {
      hooks.uninstall()
    }
  })

  it('releases the lock and exits 1 on an uncaught exception', async () => {
    const exits: number[] = []
    let released = 0
    const hooks = installProcessHooks({
      logger: silentLogger,
      shutdown: async () => {},
      emergency: async () => {
        released++
      },
      exit: (code) => exits.push(code),
    })
    try {
      ;(process.emit as (event: string, ...args: unknown[]) => boolean)(
        'uncaughtException',
        new Error('boom'),
      )
      await new Promise((resolve) => setTimeout(resolve, 20))
      expect(released).toBe(1)
      expect(exits).toEqual([1])
    } finally {
      hooks.uninstall()
    }
  })
})
