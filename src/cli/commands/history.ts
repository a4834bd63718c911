import { type Command, Option } from 'commander'
import { errorMessage } from '../../errors.js'
import type { HistoryEntry } from '../../noise/history.js'
import {
  HISTORY_LIMIT_MAX,
  type HistoryQuery,
  parseLabelFilter,
  parseSince,
  queryHistory,
} from '../../noise/history-query.js'
import { action, usage, usageExit } from '../noise/failure.js'
import { historyTable } from '../noise/format.js'
import { readThrough } from '../noise/read-through.js'
import { readNoiseSettings } from '../noise/settings.js'
import { defaultIo, type SilenceCommandIo } from './silence.js'

interface HistoryFlags {
  config?: string
  rule?: string
  since?: string
  label?: string[]
  json?: boolean
}

/** The flags as a query (usage errors name the flag) and as the API's query string. */
function queryOf(flags: HistoryFlags, now: number): { query: HistoryQuery; search: URLSearchParams } {
  const query: HistoryQuery = { limit: HISTORY_LIMIT_MAX }
  const search = new URLSearchParams()
  if (flags.rule !== undefined) {
    query.rule = flags.rule
    search.append('rule', flags.rule)
  }
  if (flags.since !== undefined) {
    try {
      query.since = parseSince(flags.since, now)
    } catch (error) {
      throw usage(`--since: ${errorMessage(error)}`)
    }
    search.append('since', new Date(query.since).toISOString())
  }
  for (const text of flags.label ?? []) {
    try {
      const [name, value] = parseLabelFilter(text)
      query.labels = { ...query.labels, [name]: value }
    } catch (error) {
      throw usage(`--label: ${errorMessage(error)}`)
    }
    search.append('label', text)
  }
  search.append('limit', String(HISTORY_LIMIT_MAX))
  return { query, search }
}

async function history(flags: HistoryFlags, io: SilenceCommandIo): Promise<void> {
  const { query, search } = queryOf(flags, io.now())
  const settings = await readNoiseSettings(flags.config, io.cwd(), io.env)
  const entries = await readThrough<HistoryEntry[]>(
    settings,
    `/api/v1/alerts?${search}`,
    (state) => queryHistory(state.history, query),
    io.stderr,
  )
  io.stdout.write(flags.json ? `${JSON.stringify(entries, null, 2)}\n` : historyTable(entries))
}

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value]

export function register(program: Command, io: SilenceCommandIo = defaultIo): void {
  usageExit(
    program
      .command('history')
      .description(
        'List alert outcomes (sent, silenced, muted, inhibited, rolled up, dead-lettered), oldest first',
      )
      .addOption(new Option('--config <file>', 'the config file (default ./config.json)'))
      .option('--rule <id>', 'only this rule')
      .option('--since <when>', 'only since then: a duration back from now (1d, 90m) or an ISO 8601 time')
      .option('--label <name=value>', 'only alerts with this label (repeat: all must match)', collect)
      .option('--json', 'one JSON array of history entries'),
  ).action(action((flags: HistoryFlags) => history(flags, io), io.stderr))
}
