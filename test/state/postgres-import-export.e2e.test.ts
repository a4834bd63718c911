import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type DaemonProcess, spawnCli } from '../daemon/helpers/daemon-process.js'
import { type E2eDirs, makeDirs, writeConfig } from '../daemon/helpers/setup.js'
import { describePg } from '../helpers/postgres.js'

// Moving a state file into PostgreSQL and back, through the CLI a user runs (`state import`, `state export`).

let dirs: E2eDirs
beforeAll(async () => {
  dirs = await makeDirs()
})
afterAll(() => dirs.cleanup())

async function run(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<DaemonProcess & { code: number | null }> {
  const proc = spawnCli(args, env)
  const { code } = await proc.exited
  return Object.assign(proc, { code })
}

const parts = {
  seamUrl: 'http://127.0.0.1:9',
  apiKey: 'seam_test_key',
  slackApiUrl: 'http://127.0.0.1:9/api/',
  smtpPort: 9,
}

describePg('state import and state export (CLI child processes, PostgreSQL)', (db) => {
  it('imports a state file into PostgreSQL and exports the same state back', async () => {
    const fileConfig = dirs.config
    await writeConfig(dirs, { ...parts, startFrom: 'now' })
    const pgConfig = path.join(dirs.dir, 'config-pg.json')
    await writeFile(
      pgConfig,
      JSON.stringify({ ...JSON.parse(await readFile(fileConfig, 'utf8')), state: '${TEST_PG_URL}' }, null, 2),
    )
    const env = { TEST_PG_URL: db.url(), TEST_SLACK_TOKEN: 'xoxb-import-test' }

    // A state file with a cursor and a silence in it, made by the commands that write it.
    expect(
      (await run(['state', 'reset', '--from', '2026-03-01T00:00:00.000Z', '--config', fileConfig], env)).code,
    ).toBe(0)
    const silence = await run(
      ['silence', 'add', '--config', fileConfig, '--matcher', 'rule=tampered', '--duration', '2h'].concat([
        '--comment',
        'moving house',
        '--author',
        'alice',
      ]),
      env,
    )
    expect(silence.code, silence.stderr()).toBe(0)
    const original = JSON.parse(await readFile(dirs.state, 'utf8'))
    expect(original.silences).toHaveLength(1)

    const imported = await run(['state', 'import', '--from', dirs.state, '--config', pgConfig], env)
    expect(imported.code, imported.stderr()).toBe(0)
    const shown = await run(['state', 'show', '--json', '--config', pgConfig], env)
    expect(shown.code, shown.stderr()).toBe(0)
    expect(shown.stdout()).toContain(original.source.floor ?? original.source.cursor)
    const listed = await run(['silence', 'list', '--json', '--config', pgConfig], env)
    expect(JSON.parse(listed.stdout()).map((s: { comment: string }) => s.comment)).toEqual(['moving house'])

    const exported = await run(['state', 'export', '--config', pgConfig], env)
    expect(exported.code, exported.stderr()).toBe(0)
    const back = JSON.parse(exported.stdout())
    const { updatedAt: _a, ...was } = original
    const { updatedAt: _b, ...is } = back
    expect(is).toEqual(was)

    for (const proc of [imported, shown, listed, exported]) {
      expect(`${proc.stdout()}${proc.stderr()}`).not.toContain(db.app.password)
    }
  }, 300_000) // seven CLI runs: minutes on a loaded 2-core machine

  it('names the host and database when the password is wrong, and never echoes it', async () => {
    const wrong = 'wrong-password-3b9c'
    const pgConfig = path.join(dirs.dir, 'config-pg.json')
    const url = db.url({ user: db.app.user, password: wrong })
    const shown = await run(['state', 'show', '--config', pgConfig], { TEST_PG_URL: url })
    expect(shown.code).not.toBe(0)
    const output = `${shown.stdout()}${shown.stderr()}`
    expect(output).toContain(`127.0.0.1:${db.port}`)
    expect(output).toContain(db.name)
    expect(output).not.toContain(wrong)
  }, 120_000)
})
