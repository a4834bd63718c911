import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { configSchema } from '../../src/config.js'
import { actionSchema } from '../../src/rules/action-schema.js'
import {
  ACTION_SECRETS,
  CONFIG_ACTION_LISTS,
  CONFIG_SECRETS,
  NOT_SECRET,
  type SecretKind,
} from '../../src/secrets/definition.js'

/** A field name that looks like it could carry a credential. */
const LOOKS_SECRET = /token|secret|password|key|url|webhook|routing|auth|header/i

type Json = Record<string, unknown>

const jsonSchemaOf = (schema: z.ZodType) =>
  z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json

/**
 * Every field of a JSON Schema (zod's own rendering of a schema, so every wrapper: optional, default, union,
 * record, array, is followed the same way) that holds strings, as a dotted path (`*` = array item or map
 * value). A map of strings is listed itself too (`headers`) as well as its values (`headers.*`).
 */
function stringFields(root: Json): Set<string> {
  const defs = (root.$defs ?? {}) as Record<string, Json>
  const out = new Set<string>()
  const visit = (node: Json, path: string[], seen: Set<string>) => {
    if (typeof node.$ref === 'string') {
      const name = node.$ref.replace('#/$defs/', '')
      if (!seen.has(name) && defs[name]) visit(defs[name], path, new Set([...seen, name]))
      return
    }
    const types = ([] as unknown[]).concat(node.type ?? [])
    if (types.includes('string') && path.length > 0) out.add(path.join('.'))
    for (const key of ['anyOf', 'oneOf', 'allOf'])
      for (const branch of (node[key] ?? []) as Json[]) visit(branch, path, seen)
    for (const [name, child] of Object.entries((node.properties ?? {}) as Record<string, Json>))
      visit(child, [...path, name], seen)
    if (node.items && typeof node.items === 'object') visit(node.items as Json, [...path, '*'], seen)
    const extra = node.additionalProperties
    if (extra && typeof extra === 'object') {
      if ((extra as Json).type === 'string') out.add(path.join('.'))
      visit(extra as Json, [...path, '*'], seen)
    }
  }
  visit(root, [], new Set())
  return out
}

/** The string fields of each action type (one JSON Schema branch per type), as `action.<type>.<field>`. */
function actionFields(schema: z.ZodType): Set<string> {
  const root = jsonSchemaOf(schema)
  const out = new Set<string>()
  for (const branch of (root.oneOf ?? root.anyOf ?? []) as Json[]) {
    const type = ((branch.properties ?? {}) as Record<string, Json>).type?.const as string
    for (const path of stringFields({ ...branch, $defs: root.$defs }))
      if (path !== 'type') out.add(`action.${type}.${path}`)
  }
  return out
}

interface Tables {
  configSecrets: Readonly<Record<string, SecretKind>>
  actionSecrets: Readonly<Record<string, Readonly<Record<string, SecretKind>>>>
  notSecret: Readonly<Record<string, string>>
}
const TABLES: Tables = { configSecrets: CONFIG_SECRETS, actionSecrets: ACTION_SECRETS, notSecret: NOT_SECRET }

/**
 * The secret-looking string fields of a config schema and an action schema that are in neither the secret
 * tables nor NOT_SECRET, and the table entries that match no field (stale).
 */
function coverage(config: z.ZodType, action: z.ZodType, tables: Tables = TABLES) {
  const { configSecrets, actionSecrets, notSecret } = tables
  const configFields = stringFields(jsonSchemaOf(config))
  const actions = actionFields(action)
  const underActionList = (path: string) => CONFIG_ACTION_LISTS.some((list) => path.startsWith(`${list}.*.`))
  const isListed = (path: string, kindOf: (p: string) => SecretKind | undefined) =>
    kindOf(path) !== undefined ||
    (path.endsWith('.*') && kindOf(path.slice(0, -2)) === 'header-values') ||
    path in notSecret
  const uncovered: string[] = []
  for (const path of configFields) {
    if (!LOOKS_SECRET.test(path) || underActionList(path)) continue
    if (!isListed(path, (p) => configSecrets[p])) uncovered.push(path)
  }
  for (const path of actions) {
    if (!LOOKS_SECRET.test(path.split('.').slice(2).join('.'))) continue
    const actionKind = (p: string) => {
      const [, type, ...field] = p.split('.')
      return actionSecrets[type!]?.[field.join('.')]
    }
    if (!isListed(path, actionKind)) uncovered.push(path)
  }
  const listed = [
    ...Object.keys(configSecrets),
    ...Object.entries(actionSecrets).flatMap(([type, fields]) =>
      Object.keys(fields).map((field) => `action.${type}.${field}`),
    ),
    ...Object.keys(notSecret),
  ]
  const stale = listed.filter((path) => !configFields.has(path) && !actions.has(path))
  const lists = CONFIG_ACTION_LISTS.filter(
    (list) => ![...configFields].some((p) => p.startsWith(`${list}.*.`)),
  )
  return { uncovered, stale: [...stale, ...lists] }
}

describe('the definition of a secret covers the schemas', () => {
  it('every secret-looking string field of the config and of every action is listed as secret or as not secret', () => {
    expect(coverage(configSchema, actionSchema)).toEqual({ uncovered: [], stale: [] })
  })

  it('every NOT_SECRET entry says why', () => {
    for (const [path, reason] of Object.entries(NOT_SECRET)) expect(reason.length, path).toBeGreaterThan(15)
  })

  it('fails for a new secret-bearing config key or action field that nobody classified', () => {
    const grown = (configSchema as unknown as z.ZodObject).extend({
      socket: z.object({ host: z.string(), appToken: z.string() }),
      store: z.object({ postgres: z.object({ url: z.string() }) }),
    })
    const opsgenie = z.object({ type: z.literal('opsgenie'), apiKey: z.string() })
    const relay = z.object({
      type: z.literal('relay'),
      url: z.string(),
      headers: z.record(z.string(), z.string()),
    })
    const actions = z.discriminatedUnion('type', [...actionSchema.options, opsgenie, relay])
    expect(coverage(grown, actions).uncovered).toEqual([
      'socket.appToken',
      'store.postgres.url',
      'action.opsgenie.apiKey',
      'action.relay.url',
      'action.relay.headers',
      'action.relay.headers.*',
    ])
    // ...and covering each is one line in the definition.
    const tables: Tables = {
      ...TABLES,
      configSecrets: { ...CONFIG_SECRETS, 'socket.appToken': 'token', 'store.postgres.url': 'url-password' },
      actionSecrets: {
        ...ACTION_SECRETS,
        opsgenie: { apiKey: 'token' },
        relay: { url: 'url', headers: 'header-values' },
      },
    }
    expect(coverage(grown, actions, tables)).toEqual({ uncovered: [], stale: [] })
  })

  it('notices a listed secret that no longer exists in the schema', () => {
    const shrunk = (configSchema as unknown as z.ZodObject).extend({
      slack: z.object({ apiUrl: z.string() }),
    })
    expect(coverage(shrunk, actionSchema).stale).toEqual(['slack.token', 'slack.appToken'])
  })
})
