import { runWorker, type WorkerOptions } from '../measure.js'
import { type BenchOptions, errorText, row, say } from '../report.js'
import { ratio } from '../stats.js'
import type { WorkerResult } from '../worker.js'

export const RULE_COUNTS = [10, 100, 1000] as const
const CONTENDERS = ['naive', 'seam-alerts', 'handwritten'] as const

export interface EvalFigures {
  naive: number | null
  seam_alerts: number | null
  handwritten: number | null
  seam_alerts_over_naive: number | null
  handwritten_over_seam_alerts: number | null
  naive_events_processed: number | null
  peak_rss_mb: Record<string, number | null>
  own_rss_mb: Record<string, number | null>
  fires: Record<string, number | null>
}

function workerOptions(contender: string, opts: BenchOptions): WorkerOptions {
  const events = opts.quick ? 20_000 : 200_000
  if (contender === 'naive') return { events, reps: opts.quick ? 1 : 3, maxMs: opts.quick ? 600 : 10_000 }
  return { events, reps: opts.quick ? 1 : 5, maxMs: 1e12 }
}

/** Section 1: evaluation throughput of the three contenders at 10, 100 and 1,000 rules. */
export async function evalSection(opts: BenchOptions): Promise<Record<string, EvalFigures>> {
  const n = opts.quick ? '20,000' : '200,000'
  say(`\n## 1. Evaluation throughput (${n} events; each contender in its own process; median of repetitions)`)
  say(
    'naive is time-capped per repetition (json-rules-engine is slow); its events/s is from the events it processed.',
  )
  const widths = [8, 12, 14, 14, 12, 14, 12, 10, 10]
  say(
    row(
      [
        'rules',
        'naive ev/s',
        'seam-alerts',
        'handwritten',
        'sa/naive',
        'hand/sa',
        'naive n',
        'sa RSS',
        'sa fires',
      ],
      widths,
    ),
  )
  const out: Record<string, EvalFigures> = {}
  for (const rules of RULE_COUNTS) {
    const results: Partial<Record<string, WorkerResult>> = {}
    for (const contender of CONTENDERS) {
      try {
        results[contender] = await runWorker(contender, rules, workerOptions(contender, opts))
      } catch (error) {
        say(`  ${contender} @ ${rules} rules: skipped: ${errorText(error)}`)
      }
    }
    const rate = (c: string) => results[c]?.eventsPerSec ?? null
    const pick = (f: (r: WorkerResult) => number) =>
      Object.fromEntries(CONTENDERS.map((c) => [c.replace('-', '_'), results[c] ? f(results[c]!) : null]))
    const figures: EvalFigures = {
      naive: rate('naive'),
      seam_alerts: rate('seam-alerts'),
      handwritten: rate('handwritten'),
      seam_alerts_over_naive: ratio(rate('seam-alerts'), rate('naive')),
      handwritten_over_seam_alerts: ratio(rate('handwritten'), rate('seam-alerts')),
      naive_events_processed: results.naive?.processed ?? null,
      peak_rss_mb: pick((r) => r.peakRssMb),
      own_rss_mb: pick((r) => Math.round((r.peakRssMb - r.baseRssMb) * 10) / 10),
      fires: pick((r) => r.fires),
    }
    out[String(rules)] = figures
    say(
      row(
        [
          String(rules),
          figures.naive,
          figures.seam_alerts,
          figures.handwritten,
          figures.seam_alerts_over_naive === null ? null : `${figures.seam_alerts_over_naive}x`,
          figures.handwritten_over_seam_alerts === null ? null : `${figures.handwritten_over_seam_alerts}x`,
          figures.naive_events_processed,
          results['seam-alerts'] ? `${results['seam-alerts'].peakRssMb} MB` : null,
          results['seam-alerts']?.fires ?? null,
        ],
        widths,
      ),
    )
    crossCheck(rules, results)
  }
  say(
    'RSS: the whole worker process (tsx, the generated events, the contender); own_rss_mb in the JSON: above the RSS once the events were generated.',
  )
  await fleetMix(opts, out)
  return out
}

/**
 * The same 100 rules with a quarter turned into fleet kinds (distinct-count windows by site, first-seen, rate
 * spikes): seam-alerts' throughput on that mix against the plain rules' figure measured above, in the same run.
 */
async function fleetMix(opts: BenchOptions, out: Record<string, EvalFigures>): Promise<void> {
  const plain = out['100']?.seam_alerts ?? null
  try {
    const fleet = await runWorker('seam-alerts-fleet', 100, workerOptions('seam-alerts', opts))
    const slowdown = ratio(plain, fleet.eventsPerSec)
    out.fleet_mix_100 = {
      naive: null,
      seam_alerts: fleet.eventsPerSec,
      handwritten: null,
      seam_alerts_over_naive: null,
      handwritten_over_seam_alerts: null,
      naive_events_processed: null,
      peak_rss_mb: { seam_alerts: fleet.peakRssMb },
      own_rss_mb: { seam_alerts: Math.round((fleet.peakRssMb - fleet.baseRssMb) * 10) / 10 },
      fires: { seam_alerts: fleet.fires },
    }
    say(
      `fleet mix @ 100 rules (25 of them distinct-count windows, first-seen or rate spikes): seam-alerts ${fleet.eventsPerSec} ev/s, ` +
        `${fleet.fires} fires, ${fleet.peakRssMb} MB RSS; time per event, fleet mix / plain rules: ${slowdown ?? 'n/a'}x`,
    )
  } catch (error) {
    say(`  fleet mix @ 100 rules: skipped: ${errorText(error)}`)
  }
}

/** The contenders implement the same rules: on the events all of them processed, their fire counts should match. */
function crossCheck(rules: number, results: Partial<Record<string, WorkerResult>>): void {
  const sa = results['seam-alerts']
  const hand = results.handwritten
  if (sa && hand && sa.processed === hand.processed && sa.fires !== hand.fires) {
    say(`  note @ ${rules} rules: fires differ (seam-alerts ${sa.fires}, handwritten ${hand.fires})`)
  }
}
