import { randomUUID } from 'node:crypto'
import { z } from 'zod'
import type { Labels } from './labels.js'
import { type Matcher, matchesAll, parseMatcher } from './matcher.js'

/**
 * A silence: while active, alerts whose labels satisfy every matcher are held back (recorded, counted, and
 * summarised when it ends unless `noSummary`). Modelled on Alertmanager's silence/silence.go. Times are ISO text,
 * as everywhere in the state file; the id is a random UUID (v4), as Alertmanager's, made by `newSilenceId` on
 * both the CLI and the API path.
 */
export interface Silence {
  id: string
  /** Canonical matcher texts (formatMatcher), e.g. `rule=low-battery`, `device_id=~"dev_(1|2)"`. */
  matchers: string[]
  startsAt: string
  endsAt: string
  createdBy: string
  comment: string
  createdAt?: string
  updatedAt?: string
  /** Do not send the end-of-silence summary. */
  noSummary?: boolean
}

export type SilenceStatus = 'pending' | 'active' | 'expired'

const isoTime = z.string().refine((text) => !Number.isNaN(Date.parse(text)), 'expected an ISO 8601 time')

function checkMatcher(text: string, ctx: z.RefinementCtx): void {
  try {
    parseMatcher(text)
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) })
  }
}

/** A stored silence (state file): a matcher that does not parse is reported on load, never at alert time. */
export const silenceSchema = z.strictObject({
  id: z.string().min(1),
  matchers: z.array(z.string().superRefine(checkMatcher)).min(1),
  startsAt: isoTime,
  endsAt: isoTime,
  createdBy: z.string(),
  comment: z.string(),
  createdAt: isoTime.optional(),
  updatedAt: isoTime.optional(),
  noSummary: z.boolean().optional(),
}) satisfies z.ZodType<Silence>

export function newSilenceId(): string {
  return randomUUID()
}

/**
 * Pending before startsAt, active from startsAt until endsAt, expired from endsAt on. (Alertmanager counts the
 * end instant itself as active; with millisecond times, `expire` at now should take effect at now.)
 */
export function silenceStatus(silence: Pick<Silence, 'startsAt' | 'endsAt'>, now: number): SilenceStatus {
  if (now < Date.parse(silence.startsAt)) return 'pending'
  if (now >= Date.parse(silence.endsAt)) return 'expired'
  return 'active'
}

/**
 * End a silence now, as Alertmanager's expire: an active one ends now; a pending one starts and ends now (so it
 * never was active); an expired one is returned unchanged (idempotent). Returns a new object.
 */
export function expireSilence(silence: Silence, now: number): Silence {
  const status = silenceStatus(silence, now)
  if (status === 'expired') return silence
  const at = new Date(now).toISOString()
  return status === 'pending'
    ? { ...silence, startsAt: at, endsAt: at, updatedAt: at }
    : { ...silence, endsAt: at, updatedAt: at }
}

/** An expired silence is kept this long after its end (for `list --expired` and the API), then dropped. */
export function silenceRetained(silence: Pick<Silence, 'endsAt'>, now: number, retentionMs: number): boolean {
  return now < Date.parse(silence.endsAt) + retentionMs
}

/** Compiled matchers by text, shared by all silences; bounded so edited silences cannot grow it without end. */
const compiled = new Map<string, Matcher>()
const COMPILED_MAX = 4096

/** The silence's matchers, compiled once per text. Throws MatcherSyntaxError for a text that does not parse. */
export function silenceMatchers(silence: Pick<Silence, 'matchers'>): Matcher[] {
  return silence.matchers.map((text) => {
    let matcher = compiled.get(text)
    if (!matcher) {
      matcher = parseMatcher(text)
      if (compiled.size >= COMPILED_MAX) compiled.delete(compiled.keys().next().value!)
      compiled.set(text, matcher)
    }
    return matcher
  })
}

/** Does the silence hold back an alert with these labels at `now` (active, and every matcher holds)? */
export function silenceHolds(silence: Silence, labels: Labels, now: number): boolean {
  return silenceStatus(silence, now) === 'active' && matchesAll(silenceMatchers(silence), labels)
}

/**
 * The active silences that hold back these labels, oldest start first (then by id), so the outcome and the
 * silence recorded in the history do not depend on the order silences are stored in.
 */
export function silencesFor(all: Iterable<Silence>, labels: Labels, now: number): Silence[] {
  const out: Silence[] = []
  for (const silence of all) if (silenceHolds(silence, labels, now)) out.push(silence)
  return out.sort(
    (a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  )
}
