import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/config.js'
import { createLogger } from '../../src/log.js'
import { captureStream as capture } from '../helpers/fixtures.js'

const SECRETS = ['seam_live_key_123', 'xoxb-slack-secret', 'smtp-pass-456', 'Bearer abc.def']

describe('log redaction', () => {
  it('never writes a secret from a logged config, request or error context', () => {
    const out = capture()
    const logger = createLogger({ destination: out.stream, level: 'debug' })
    const config = parseConfig(
      {
        seam: { apiKey: SECRETS[0] },
        slack: { token: SECRETS[1] },
        email: { smtp: { host: 'smtp.example.com', auth: { user: 'u', pass: SECRETS[2] } }, from: 'a@b.c' },
      },
      'config.json',
      {},
    )
    logger.info({ config }, 'config loaded')
    logger.info({ seam: config.seam, slack: config.slack, email: config.email }, 'sections')
    logger.warn({ headers: { authorization: SECRETS[3] } }, 'request failed')
    logger.warn({ req: { headers: { authorization: SECRETS[3] } } }, 'request failed')
    logger.error({ smtp: config.email.smtp }, 'smtp down')
    logger.error({ apiKey: SECRETS[0], token: SECRETS[1], password: SECRETS[2] }, 'flat')
    const text = out.text()
    expect(text).toContain('config loaded')
    expect(text).toContain('[redacted]')
    for (const secret of SECRETS) expect(text).not.toContain(secret)
  })
})
