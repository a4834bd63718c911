import { afterAll, beforeAll, expect, it } from 'vitest'
import { type FakeSeam, startFakeSeam } from '../helpers/fake-seam.js'
import { describeWithPostgres } from '../helpers/postgres.js'
import { type PostgresServer, startPostgres } from '../helpers/postgres-server.js'
import { eventually, HA, type HaRig, haRig, roleIs } from './helpers/ha.js'

// The database itself goes away mid-run: a PostgreSQL server of this file's own, crashed and started again.

let fake: FakeSeam
let server: PostgresServer
let rig: HaRig | undefined

describeWithPostgres(
  'the leader through a database crash and restart (child process, own PostgreSQL)',
  () => {
    beforeAll(async () => {
      fake = await startFakeSeam()
      server = await startPostgres()
    }, 90_000)
    afterAll(async () => {
      await rig?.close()
      await server?.close()
      await fake?.close()
    })

    it('stops polling and sending while the database is down, says so (never the password), keeps the outbox, and resumes when it is back', async () => {
      const url = server.url(await server.createDatabase())
      rig = await haRig(fake, url)
      const r = rig
      const a = r.start('a')
      await roleIs(a, 'leader')
      const tampered = (n: number) =>
        fake.addEvent({ event_type: 'device.tampered', device_id: fake.deviceIds[n % fake.deviceIds.length] })

      const first = tampered(0)
      await eventually(() => r.deliveredBy(first.event_id).length > 0, 20_000, 'the first alert')

      // An alert Slack refuses for now: queued (committed in the outbox) and retried.
      let slackDown = true
      const queued = tampered(1)
      r.failWhen = (send) => slackDown && send.eventId === queued.event_id
      await eventually(
        () => r.sends.some((s) => s.eventId === queued.event_id),
        20_000,
        'the queued alert tried',
      )

      await server.kill() // a crash: no clean shutdown
      const downAt = performance.now()
      const during = tampered(2)
      let lastHealth: unknown
      const health = await eventually(
        async () => {
          const answer = await a.health()
          lastHealth = answer
          return answer && answer.status === 503 ? answer : undefined
        },
        30_000,
        '/healthz to answer 503',
        () => `--- stderr ---\n${a.proc.stderr().slice(-5000)}\nlast health: ${JSON.stringify(lastHealth)}`,
      )
      expect(JSON.stringify(health.body.reasons)).toMatch(/PostgreSQL/)
      await a.proc.waitFor(
        () => `${a.proc.stdout()}${a.proc.stderr()}`.includes('seam-alerts.monitor:store-down'),
        30_000,
        'the store-down meta-alert',
      )
      // Past the lease: the leader has stepped back from polling and sending.
      await new Promise((resolve) => setTimeout(resolve, HA.leaseTtl + HA.renewEvery))
      slackDown = false
      await new Promise((resolve) => setTimeout(resolve, 1500))
      expect(r.deliveredBy(during.event_id)).toEqual([]) // nothing evaluated or sent without the store
      expect(r.deliveredBy(queued.event_id)).toEqual([])

      await server.start()
      const upAt = performance.now()
      await roleIs(a, 'leader', 30_000)
      await eventually(
        () => r.deliveredBy(queued.event_id).length > 0 && r.deliveredBy(during.event_id).length > 0,
        30_000,
        'the queued alert and the one from the outage delivered',
      )
      expect(r.deliveredBy(queued.event_id)).toEqual([a.token])
      expect(r.deliveredBy(during.event_id)).toEqual([a.token])
      expect(r.deliveredBy(first.event_id)).toEqual([a.token])
      const sentDuring = r.sends.filter((s) => s.ok && s.call.at > downAt && s.call.at < upAt)
      expect(sentDuring).toEqual([])
      const output = `${a.proc.stdout()}${a.proc.stderr()}`
      expect(output).not.toContain(server.app.password)
      expect(output).toMatch(new RegExp(`127\\.0\\.0\\.1:${server.port}`))
      expect((await a.health())?.status).toBe(200)
    }, 180_000)
  },
)
