import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/config.js'
import { DEFAULT_LOCK_LOST_MAX, DEFAULT_STATE_FILE_MAX } from '../../src/limits.js'
import { formatSize, parseSize } from '../../src/size.js'
import { inputErrorOf } from '../helpers/input-error.js'

describe('sizes', () => {
  it('a whole number and one unit, powers of 1024, any case; formatted back for messages', () => {
    expect(parseSize('512B')).toBe(512)
    expect(parseSize('64KB')).toBe(64 * 1024)
    expect(parseSize('64kib')).toBe(64 * 1024)
    expect(parseSize('256MB')).toBe(256 * 1024 ** 2)
    expect(parseSize('1GiB')).toBe(1024 ** 3)
    for (const bad of ['256 MB', '1.5MB', 'MB', '256', '-1KB', '10TB']) {
      expect(() => parseSize(bad)).toThrow(/expected a size like "512KB", "256MB" or "1GB"/)
    }
    expect(formatSize(512)).toBe('512 B')
    expect(formatSize(1536)).toBe('1.5 KiB')
    expect(formatSize(256 * 1024 ** 2)).toBe('256 MiB')
    expect(formatSize(2 * 1024 ** 3)).toBe('2 GiB')
  })
})

describe('config limits.*', () => {
  it('defaults: stateFileMax 256 MiB, lockLostMax 1 minute', () => {
    const config = parseConfig({}, 'c.json', {})
    expect(config.limits).toMatchObject({
      stateFileMax: DEFAULT_STATE_FILE_MAX,
      lockLostMax: DEFAULT_LOCK_LOST_MAX,
      firstSeenMax: 100_000,
    })
    expect(config.limits).toMatchObject({
      stateFileMax: 256 * 1024 ** 2,
      lockLostMax: 60_000,
      firstSeenMax: 100_000,
    })
  })

  it('takes a size string or a number of bytes, and a duration', () => {
    const config = parseConfig({ limits: { stateFileMax: '64MB', lockLostMax: '5m' } }, 'c.json', {})
    expect(config.limits).toMatchObject({ stateFileMax: 64 * 1024 ** 2, lockLostMax: 300_000 })
    expect(parseConfig({ limits: { stateFileMax: 100_000 } }, 'c.json', {}).limits.stateFileMax).toBe(100_000)
  })

  it('rejects a malformed, zero or too large size and unknown keys, naming file and path', () => {
    const messages = (limits: unknown) =>
      inputErrorOf(() => parseConfig({ limits }, 'c.json', {})).issues.map((i) => `${i.path}: ${i.message}`)
    expect(messages({ stateFileMax: '256 MB' })).toEqual([
      '$.limits.stateFileMax: expected a size like "512KB", "256MB" or "1GB" (or a number of bytes), got "256 MB"',
    ])
    expect(messages({ stateFileMax: 0 })[0]).toMatch(/^\$\.limits\.stateFileMax: expected a size/)
    expect(messages({ stateFileMax: '1GB' })[0]).toMatch(
      /^\$\.limits\.stateFileMax: expected at most "512MB"/,
    )
    expect(messages({ lockLostMax: 'soon' })[0]).toMatch(/^\$\.limits\.lockLostMax: expected a duration/)
    expect(messages({ stateFileMaxx: '1MB' })[0]).toMatch(/^\$\.limits: unknown field "stateFileMaxx"/)
  })
})
