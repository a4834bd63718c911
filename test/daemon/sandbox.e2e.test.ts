import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../helpers/fixtures.js'
import { spawnCli } from './helpers/daemon-process.js'

describe('seam-alerts run --sandbox', () => {
  it('starts the embedded fake Seam API and prints a console alert naming a shipped rule', async () => {
    const dir = path.join(REPO_ROOT, 'rules')
    const ids: string[] = []
    for (const name of await readdir(dir)) {
      if (!name.endsWith('.json') || name === 'schema.json') continue
      ids.push((JSON.parse(await readFile(path.join(dir, name), 'utf8')) as { id: string }).id)
    }
    expect(ids.length).toBeGreaterThan(0)
    const sandbox = spawnCli(['run', '--sandbox'], { SLACK_TOKEN: '', SMTP_HOST: '' })
    try {
      const rule = await sandbox.waitFor(
        () => /^rule ([\w.-]+) · event_id \S+/m.exec(sandbox.stdout())?.[1],
        60_000,
        'a console alert',
      )
      expect(ids).toContain(rule)
      expect(sandbox.stderr()).toContain('seam-alerts SANDBOX')
      sandbox.kill('SIGINT')
      expect((await sandbox.exited).code).toBe(0)
    } finally {
      if (sandbox.child.exitCode === null) sandbox.kill('SIGKILL')
    }
  }, 90_000)
})
