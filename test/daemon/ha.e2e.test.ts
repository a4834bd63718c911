import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { type FakeSeam, startFakeSeam } from '../helpers/fake-seam.js'
import { describePg } from '../helpers/postgres.js'
import {
  committedOutbox,
  eventually,
  HA,
  type HaRig,
  haRig,
  type Replica,
  readLeaseRow,
  roleIs,
} from './helpers/ha.js'

// Two (or more) daemon processes on one PostgreSQL state, the official fake Seam, the Slack stand-in. Each replica
// posts with its own bot token, so every delivery is attributed. Lease settings: renewEvery 500ms, leaseTtl 1500ms.

let fake: FakeSeam
let rig: HaRig | undefined

beforeAll(async () => {
  fake = await startFakeSeam()
})
afterAll(() => fake.close())
afterEach(async () => {
  await rig?.close()
  rig = undefined
})

const tampered = (n: number) =>
  fake.addEvent({ event_type: 'device.tampered', device_id: fake.deviceIds[n % fake.deviceIds.length] })

/** The replica answering /healthz as leader (one of `among`). */
async function leaderOf(among: Replica[]): Promise<Replica> {
  return eventually(
    async () => {
      for (const replica of among) if ((await replica.health())?.body.role === 'leader') return replica
      return undefined
    },
    30_000,
    `a leader among ${among.map((r) => r.name).join(', ')}`,
  )
}

describePg('two replicas on one PostgreSQL state (child processes, fake Seam, Slack stand-in)', (db) => {
  async function freshRig(): Promise<HaRig> {
    const name = await db.createDatabase()
    // The fake Seam is shared by this file's tests: start after the previous test's events.
    await new Promise((resolve) => setTimeout(resolve, 1100))
    rig = await haRig(fake, db.url(db.app, name))
    return rig
  }

  it('one leads and one stands by (both healthy); after SIGKILL of the leader the standby takes over within leaseTtl + renewEvery and continues from the committed state', async () => {
    const r = await freshRig()
    const a = r.start('a')
    await roleIs(a, 'leader')
    const b = r.start('b')
    const standby = await roleIs(b, 'standby')
    expect(standby.status).toBe(200)
    expect(a.proc.logs().find((l) => typeof l.health === 'string')?.msg).toMatch(/ started as leader /)
    expect(b.proc.logs().find((l) => typeof l.health === 'string')?.msg).toMatch(/ started as standby /)
    const epoch = (await readLeaseRow(r.url))!.epoch
    expect(await a.metrics()).toMatch(/^seam_alerts_ha_leader 1$/m)
    expect(await a.metrics()).toMatch(new RegExp(`^seam_alerts_ha_lease_epoch ${epoch}$`, 'm'))
    expect(await b.metrics()).toMatch(/^seam_alerts_ha_leader 0$/m)

    const first = tampered(0)
    await eventually(() => r.deliveredBy(first.event_id).length > 0, 20_000, 'the first alert')
    expect(r.deliveredBy(first.event_id)).toEqual([a.token])
    await eventually(async () => (await committedOutbox(r.url)) === 0, 10_000, 'the send recorded')
    const before = await readLeaseRow(r.url)

    a.proc.kill('SIGKILL')
    await a.proc.exited
    const last = (await readLeaseRow(r.url))! // final: nobody renews it now
    const second = tampered(1)
    // The first row held by someone else: its expiry - leaseTtl is when it was taken (database clock).
    const taken = await eventually(
      async () => {
        const row = await readLeaseRow(r.url)
        return row?.holder && row.holder !== last.holder ? row : undefined
      },
      30_000,
      'the standby to take the lease',
    )
    const takenAt = taken.expiresAt - HA.leaseTtl
    const lastRenewal = last.expiresAt - HA.leaseTtl
    // Never before the dead leader's lease ran out; and within leaseTtl + renewEvery of its last sign of life (the
    // kill came after it), with room for timers running late on a loaded machine.
    expect(takenAt).toBeGreaterThanOrEqual(last.expiresAt - 50)
    expect(takenAt - lastRenewal).toBeLessThanOrEqual(HA.leaseTtl + HA.renewEvery + 2000)
    expect(taken.epoch).toBe(before!.epoch + 1)
    await roleIs(b, 'leader')
    await eventually(() => r.deliveredBy(second.event_id).length > 0, 20_000, 'the alert after failover')
    expect(r.deliveredBy(second.event_id)).toEqual([b.token])
    expect(r.deliveredBy(first.event_id)).toEqual([a.token]) // recorded as sent: not sent again
    const both = `${a.proc.stderr()}${a.proc.stdout()}${b.proc.stderr()}${b.proc.stdout()}`
    expect(both).not.toContain(db.app.password)
  }, 120_000)

  it('under a SIGKILL loop on whichever replica leads, no alert is lost and there is at most one duplicate per kill', async () => {
    const r = await freshRig()
    let generation = 0
    const live: Replica[] = [r.start(`a${generation}`), r.start(`b${generation}`)]
    await leaderOf(live)
    const ids: string[] = []
    let n = 0
    const generator = setInterval(() => {
      ids.push(tampered(n++).event_id)
    }, 150)
    const kills = 3
    try {
      for (let kill = 0; kill < kills; kill++) {
        const leader = await leaderOf(live)
        // Let the leader deliver a little first, so it dies with work in progress.
        const sentBefore = r.sends.filter((s) => s.ok && s.token === leader.token).length
        await eventually(
          () => r.sends.filter((s) => s.ok && s.token === leader.token).length >= sentBefore + 2,
          30_000,
          `${leader.name} to deliver`,
          () => `--- ${leader.name} stderr ---\n${leader.proc.stderr().slice(-5000)}`,
        )
        leader.proc.kill('SIGKILL')
        await leader.proc.exited
        live.splice(live.indexOf(leader), 1)
        generation += 1
        live.push(r.start(`${leader.name[0]}${generation}`))
      }
      await leaderOf(live)
    } finally {
      clearInterval(generator)
    }
    await eventually(
      () => ids.every((id) => r.deliveredBy(id).length > 0),
      60_000,
      'every alert delivered',
      () => `missing: ${ids.filter((id) => r.deliveredBy(id).length === 0).join(', ')}`,
    )
    const counts = ids.map((id) => r.deliveredBy(id).length)
    const duplicates = counts.reduce((sum, c) => sum + c - 1, 0)
    // A replica that loses its lease without being killed (renewals late on a loaded machine) is a failover too,
    // with the same allowance: the alert it had sent but not yet recorded may be sent again.
    const leaseLosses = r.replicas
      .flatMap((replica) => replica.proc.logs())
      .filter((line) => String(line.msg).startsWith('lost the leader lease')).length
    const twice = ids
      .filter((id) => r.deliveredBy(id).length > 1)
      .map((id) => `${id}: ${r.deliveredBy(id).join(', ')}`)
    expect(counts.every((c) => c >= 1)).toBe(true)
    expect(duplicates, `duplicates: ${twice.join('; ')}; lease losses: ${leaseLosses}`).toBeLessThanOrEqual(
      kills + leaseLosses,
    )
    expect(ids.length).toBeGreaterThan(10)
  }, 240_000)

  it('a leader frozen (SIGSTOP) past its lease, then resumed (SIGCONT), never sends again and becomes a standby', async () => {
    const r = await freshRig()
    const a = r.start('a')
    await roleIs(a, 'leader')
    const b = r.start('b')
    await roleIs(b, 'standby')
    // A's sends of this alert fail (HTTP 500), so A keeps it in its outbox and retries every <= 1 s.
    const stuck = tampered(0)
    r.failWhen = (send) => send.token === a.token && send.eventId === stuck.event_id
    await eventually(
      () => r.sends.some((s) => s.token === a.token && s.eventId === stuck.event_id),
      20_000,
      'A trying',
    )

    a.proc.kill('SIGSTOP')
    await roleIs(b, 'leader', 30_000)
    await eventually(() => r.deliveredBy(stuck.event_id).length > 0, 20_000, 'B delivering the stuck alert')
    const during = tampered(1)
    await eventually(() => r.deliveredBy(during.event_id).length > 0, 20_000, 'B delivering a new alert')

    const resumedAt = performance.now()
    a.proc.kill('SIGCONT')
    await roleIs(a, 'standby', 30_000)
    const after = tampered(2)
    await eventually(() => r.deliveredBy(after.event_id).length > 0, 20_000, 'B delivering after A resumed')
    await new Promise((resolve) => setTimeout(resolve, 2 * HA.leaseTtl)) // A's retry timers have long fired

    expect(r.sends.filter((s) => s.token === a.token && s.call.at >= resumedAt)).toEqual([])
    expect(r.deliveredBy(stuck.event_id)).toEqual([b.token])
    expect(r.deliveredBy(during.event_id)).toEqual([b.token])
    expect(r.deliveredBy(after.event_id)).toEqual([b.token])
    expect(a.alive()).toBe(true)
  }, 120_000)
})
