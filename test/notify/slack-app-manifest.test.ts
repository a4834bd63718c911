/**
 * deploy/slack-app-manifest.json is what a user pastes into Slack's "Create New App → From a manifest": it must be
 * a manifest Slack accepts (the fields of its manifest schema, within its limits) and give exactly what
 * docs/slack-actions.md promises: the bot scope chat:write and nothing more, interactivity and Socket Mode on.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../helpers/fixtures.js'

const manifestText = readFileSync(`${REPO_ROOT}deploy/slack-app-manifest.json`, 'utf8')
const manifest = JSON.parse(manifestText)
const docs = readFileSync(`${REPO_ROOT}docs/slack-actions.md`, 'utf8')

describe('the Slack app manifest', () => {
  it('uses only the top-level sections of Slack manifest schema v1', () => {
    expect(Object.keys(manifest).sort()).toEqual(
      ['_metadata', 'display_information', 'features', 'oauth_config', 'settings'].sort(),
    )
    expect(manifest._metadata).toEqual({ major_version: 1, minor_version: 1 })
  })

  it('names the app and its bot within Slack limits', () => {
    const { name, description, background_color } = manifest.display_information
    expect(name.length).toBeGreaterThan(0)
    expect(name.length).toBeLessThanOrEqual(35)
    expect(description.length).toBeLessThanOrEqual(140)
    expect(background_color).toMatch(/^#[0-9a-fA-F]{6}$/)
    expect(manifest.features.bot_user.display_name).toMatch(/^[a-z0-9._-]{1,80}$/)
  })

  it('asks for the bot scope chat:write and nothing else', () => {
    expect(manifest.oauth_config.scopes).toEqual({ bot: ['chat:write'] })
  })

  it('turns interactivity and Socket Mode on, with no request URL (Socket Mode needs none)', () => {
    expect(manifest.settings.socket_mode_enabled).toBe(true)
    expect(manifest.settings.interactivity).toEqual({ is_enabled: true })
    expect(JSON.stringify(manifest)).not.toMatch(/request_url|https?:\/\//)
  })

  it('is shown verbatim in docs/slack-actions.md, which names the scopes it asks for', () => {
    const block = /```json\n(\{\n {2}"_metadata"[\s\S]*?\n\})\n```/.exec(docs)?.[1]
    expect(block).toBeDefined()
    expect(JSON.parse(block ?? '{}')).toEqual(manifest)
    for (const scope of manifest.oauth_config.scopes.bot) expect(docs).toContain(`\`${scope}\``)
    expect(docs).toContain('`connections:write`')
  })
})
