import { describe, expect, it } from 'vitest'
import { parseDuration } from '../../src/duration.js'
import { expandEnv } from '../../src/env-expand.js'
import type { InputIssue } from '../../src/errors.js'
import { formatIssue, jsonPath } from '../../src/errors.js'

describe('durations', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['10m', 600_000],
    ['2h', 7_200_000],
    ['7d', 604_800_000],
  ])('%s is %d ms', (text, expected) => {
    expect(parseDuration(text)).toBe(expected)
  })

  it.each(['', '10', '1.5m', '10 m', '-1s', '1w', '10M', 'ten minutes'])('rejects %j', (text) => {
    expect(() => parseDuration(text)).toThrow(/expected a duration like/)
  })
})

describe('environment expansion', () => {
  it('expands references, keeps escapes literal, and names every missing variable with its path', () => {
    const issues: InputIssue[] = []
    const out = expandEnv(
      { a: 'x-${ONE}-y', list: ['${TWO}', '$${LITERAL}'], nested: { deep: '${MISSING}' }, n: 3 },
      { ONE: '1', TWO: '2' },
      'config.json',
      issues,
    )
    expect(out).toEqual({ a: 'x-1-y', list: ['2', '${LITERAL}'], nested: { deep: '' }, n: 3 })
    expect(issues.map(formatIssue)).toEqual([
      'config.json: $.nested.deep: environment variable MISSING is not set',
    ])
  })

  it('renders JSON paths for odd keys and indexes', () => {
    expect(jsonPath(['actions', 0, 'to'])).toBe('$.actions[0].to')
    expect(jsonPath(['weird key', 'ok'])).toBe('$["weird key"].ok')
  })
})
