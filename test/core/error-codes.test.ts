import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { abortedError } from '../../src/abort.js'
import { classifyFailure } from '../../src/daemon/poll-loop.js'
import { hasCode, SeamAlertsError } from '../../src/errors.js'
import { DeliveryError } from '../../src/notify/notifier.js'
import { authError, SeamRequestError, SourceUnavailableError } from '../../src/source/errors.js'
import { MigrationError } from '../../src/state/migrate.js'

const SRC = path.resolve(import.meta.dirname, '../../src')

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true })
  const nested = await Promise.all(
    entries.map((e) => (e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : [path.join(dir, e.name)])),
  )
  return nested.flat().filter((file) => file.endsWith('.ts'))
}

describe('coded errors', () => {
  it('every error class is a SeamAlertsError with a code', () => {
    expect(new DeliveryError('x', { retryable: true })).toMatchObject({ code: 'DELIVERY_FAILED' })
    expect(new MigrationError('x', true)).toMatchObject({ code: 'STATE_CORRUPT', newer: true })
    expect(new SourceUnavailableError('x', { attempts: 1 })).toMatchObject({ code: 'SEAM_REQUEST' })
    expect(new SeamRequestError('x', { retryable: true })).toMatchObject({ code: 'SEAM_REQUEST' })
    for (const error of [new DeliveryError('x', { retryable: true }), new MigrationError('x', false)])
      expect(error).toBeInstanceOf(SeamAlertsError)
    expect(hasCode(abortedError('fetch'), 'ABORTED')).toBe(true)
  })

  it('a failed poll is classified by its code, whatever the class is named', () => {
    const renamed = new SourceUnavailableError('down', { attempts: 5 })
    renamed.name = 'SomethingElse'
    expect(classifyFailure(renamed)).toBe('seam')
    expect(classifyFailure(authError(401))).toBe('auth')
    expect(classifyFailure(new SeamAlertsError('STATE_WRITE_FAILED', 'disk full'))).toBe('state')
    expect(classifyFailure(abortedError('fetch'))).toBe('aborted')
    const impostor = new Error('down')
    impostor.name = 'SourceUnavailableError'
    expect(classifyFailure(impostor)).toBe('other')
  })

  it('declares no code that nothing in src uses', async () => {
    const errors = await readFile(path.join(SRC, 'errors.ts'), 'utf8')
    const declared = [...errors.matchAll(/^\s*\| '([A-Z_]+)'/gm)].map((m) => m[1]!)
    expect(declared.length).toBeGreaterThan(5)
    const others = (
      await Promise.all(
        (
          await sourceFiles(SRC)
        )
          .filter((f) => f !== path.join(SRC, 'errors.ts'))
          .map((f) => readFile(f, 'utf8')),
      )
    ).join('\n')
    expect(declared.filter((code) => !others.includes(`'${code}'`))).toEqual([])
  })
})
