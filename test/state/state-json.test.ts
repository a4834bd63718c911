import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ownMap } from '../../src/frozen.js'
import { stateJson } from '../../src/state/state-json.js'
import { draftOf } from '../../src/state/state-layout.js'
import { emptyState, type State } from '../../src/state/state-schema.js'

const expected = (state: unknown) => Buffer.from(`${JSON.stringify(state)}\n`, 'utf8')

/** Keys as they come from Seam ids and group keys, plus the awkward ones. */
const key = fc.oneof(
  fc.constantFrom('device_1', '["device_1"]', '{"device_id":"d"}', '', '0', '17', '__proto__', 'constructor'),
  fc.constantFrom('Tür "Süd"', 'line\nbreak', 'tab\t', '🔒', '\ud800', 'back\\slash'),
  fc.string({ maxLength: 6 }),
)
/** Record values: any JSON, plus objects with undefined fields (left out, as JSON.stringify does). */
const record = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.record({ kept: fc.string(), dropped: fc.constant(undefined), at: fc.integer() }),
)

type Op =
  | {
      kind: 'set'
      part: 'windows' | 'throttles' | 'devices' | 'threads' | 'digests'
      rule: string
      key: string
      value: unknown
    }
  | { kind: 'delete'; part: 'windows' | 'devices'; rule: string; key: string }
  | { kind: 'move'; from: string; to: string }
  | { kind: 'outbox'; value: unknown }
  | { kind: 'seen'; ids: string[] }
  | { kind: 'top'; value: unknown }
  | { kind: 'drop'; rule: string }
  | { kind: 'replaceDevices' }

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('set' as const),
    part: fc.constantFrom(
      'windows' as const,
      'throttles' as const,
      'devices' as const,
      'threads' as const,
      'digests' as const,
    ),
    rule: fc.constantFrom('r1', 'r2'),
    key,
    value: record,
  }),
  fc.record({
    kind: fc.constant('delete' as const),
    part: fc.constantFrom('windows' as const, 'devices' as const),
    rule: fc.constantFrom('r1', 'r2'),
    key,
  }),
  fc.record({ kind: fc.constant('move' as const), from: key, to: key }),
  fc.record({ kind: fc.constant('outbox' as const), value: record }),
  fc.record({ kind: fc.constant('seen' as const), ids: fc.array(key, { maxLength: 4 }) }),
  fc.record({ kind: fc.constant('top' as const), value: record }),
  fc.record({ kind: fc.constant('drop' as const), rule: fc.constantFrom('r1', 'r2') }),
  fc.record({ kind: fc.constant('replaceDevices' as const) }),
)

const setOwn = (map: Record<string, unknown>, k: string, value: unknown) =>
  Object.defineProperty(map, k, { value, writable: true, enumerable: true, configurable: true })

/** Apply one change the way the daemon's code does: records replaced, shared maps copied first (ownMap). */
function apply(draft: State, change: Op): void {
  const anyDraft = draft as unknown as Record<string, Record<string, Record<string, unknown>>>
  switch (change.kind) {
    case 'set': {
      if (change.part === 'devices' || change.part === 'threads')
        setOwn(ownMap(anyDraft, change.part), change.key, change.value)
      else {
        const parts =
          change.part === 'digests'
            ? anyDraft.digests!
            : (anyDraft.rules as never as Record<string, Record<string, unknown>>)[change.part]!
        setOwn(
          ownMap(parts as Record<string, Record<string, unknown>>, change.rule),
          change.key,
          change.value,
        )
      }
      return
    }
    case 'delete':
      if (change.part === 'devices') delete ownMap(draft, 'devices')[change.key]
      else if (draft.rules.windows[change.rule]) delete ownMap(draft.rules.windows, change.rule)[change.key]
      return
    case 'move': {
      // The same record object under another key: its cached text must not be reused with the old key.
      if (Object.hasOwn(draft.devices, change.from))
        setOwn(ownMap(draft, 'devices'), change.to, draft.devices[change.from])
      return
    }
    case 'outbox':
      draft.outbox.push(change.value as State['outbox'][number])
      return
    case 'seen':
      draft.source.seen = Object.fromEntries(change.ids.map((id, i) => [id, i]))
      return
    case 'top':
      ;(draft as unknown as Record<string, unknown>).extra = change.value
      return
    case 'drop':
      delete draft.rules.windows[change.rule]
      return
    case 'replaceDevices':
      draft.devices = { fresh: { name: 'a whole new map', fetchedAt: 1 } }
      return
  }
}

describe('stateJson: JSON.stringify of the state, from cached record texts', () => {
  it('is byte for byte JSON.stringify and a newline; freezes the records and the shared maps, not the rest', () => {
    const state = emptyState()
    state.devices.d = { name: 'Tür Süd 🔒', fetchedAt: 1 }
    state.rules.windows.r = { '["d"]': [{ event_id: 'e', at: 1 }] }
    state.outbox.push({ id: 'x' } as never)
    expect(stateJson(state).equals(expected(state))).toBe(true)
    expect(Object.isFrozen(state.devices.d)).toBe(true)
    expect(Object.isFrozen(state.rules.windows.r['["d"]']![0])).toBe(true)
    expect(Object.isFrozen(state.outbox[0])).toBe(true)
    expect(Object.isFrozen(state.devices)).toBe(true)
    expect(Object.isFrozen(state.rules.windows.r)).toBe(true)
    expect(Object.isFrozen(state.rules.windows)).toBe(false)
    expect(Object.isFrozen(state.outbox)).toBe(false)
    expect(Object.isFrozen(state)).toBe(false)
  })

  it('stays equal to JSON.stringify through any sequence of drafts, and never changes an earlier state', () => {
    fc.assert(
      fc.property(fc.array(fc.array(op, { maxLength: 8 }), { minLength: 1, maxLength: 6 }), (updates) => {
        let current = emptyState()
        stateJson(current)
        for (const changes of updates) {
          const before = JSON.stringify(current)
          const draft = draftOf(current)
          for (const change of changes) apply(draft, change)
          expect(stateJson(draft).equals(expected(draft))).toBe(true)
          expect(JSON.stringify(current)).toBe(before)
          current = draft
        }
      }),
      { numRuns: 300 },
    )
  })

  it('a record cannot be changed in place once serialized, however deep', () => {
    const state = emptyState()
    state.rules.timers.r = {
      g: {
        event_id: 'e',
        group: { device_id: 'd' },
        openedAt: 1,
        deadline: 2,
        event: { nested: { a: [1] } },
      },
    }
    stateJson(state)
    const timer = state.rules.timers.r.g!
    expect(() => {
      ;(timer.event.nested as { a: number[] }).a.push(2)
    }).toThrow(TypeError)
    expect(() => {
      timer.deadline = 3
    }).toThrow(TypeError)
  })

  it('keeps "__proto__" an ordinary key through drafts', () => {
    const state = emptyState()
    setOwn(state.devices, '__proto__', { name: 'odd id', fetchedAt: 1 })
    stateJson(state)
    const draft = draftOf(state)
    expect(Object.getPrototypeOf(draft.devices)).toBe(Object.prototype)
    expect(Object.keys(draft.devices)).toEqual(['__proto__'])
    expect(stateJson(draft).equals(expected(draft))).toBe(true)
  })
})
