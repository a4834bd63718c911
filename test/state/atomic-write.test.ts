import { describe, expect, it } from 'vitest'
import { utf8Line } from '../../src/state/atomic-write.js'

describe('utf8Line', () => {
  const cases: [string, string][] = [
    ['empty', ''],
    ['ASCII', JSON.stringify({ a: 'b'.repeat(10_000) })],
    ['a little non-ASCII', JSON.stringify({ name: 'Tür Süd', emoji: '🔒' })],
    // Far more extra bytes than the buffer's slack: must fall back to counting, never truncate.
    ['mostly non-ASCII', JSON.stringify({ name: 'ü🔒€'.repeat(5_000) })],
    ['non-ASCII right at the end of the slack', `${'a'.repeat(5_000)}${'€'.repeat(511)}é`],
  ]
  for (const [label, text] of cases) {
    it(`encodes ${label} text plus a newline exactly as UTF-8`, () => {
      const bytes = utf8Line(text)
      expect(bytes.equals(Buffer.from(`${text}\n`, 'utf8'))).toBe(true)
      expect(bytes.toString('utf8')).toBe(`${text}\n`)
    })
  }

  it('encodes every boundary of the slack (each length of multi-byte tail)', () => {
    for (let n = 500; n < 530; n++) {
      for (const char of ['é', '€', '🔒']) {
        const text = 'x'.repeat(n) + char.repeat(n)
        expect(utf8Line(text).equals(Buffer.from(`${text}\n`, 'utf8'))).toBe(true)
      }
    }
  })
})
