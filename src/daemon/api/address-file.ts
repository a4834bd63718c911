import { promises as fs } from 'node:fs'
import os from 'node:os'
import { FILE_MODE, tempName } from '../../state/atomic-write.js'

/**
 * How the CLI finds a running daemon's local API: `<state file>.api`, written next to the state lock's
 * `.lock-owner` once the server listens and removed when it stops. It holds the address actually bound (so
 * `"port": 0` works) and the daemon's pid; the CLI trusts it only while the state lock is held by that pid.
 * Never holds the token.
 */
export interface ApiAddress {
  pid: number
  host: string
  /** `http://127.0.0.1:9464`: a wildcard bind (0.0.0.0, ::) is written as its loopback address. */
  url: string
}

export const apiAddressFileFor = (stateFile: string): string => `${stateFile}.api`

/** The URL to connect to for a server bound at `host:port` (a wildcard address is reached on loopback). */
export function connectUrl(host: string, port: number): string {
  if (host === '0.0.0.0' || host === '') return `http://127.0.0.1:${port}`
  if (host === '::' || host === '[::]') return `http://[::1]:${port}`
  return `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`
}

export async function writeApiAddress(stateFile: string, url: string): Promise<void> {
  const address: ApiAddress = { pid: process.pid, host: os.hostname(), url }
  const file = apiAddressFileFor(stateFile)
  const temp = tempName(file, 'tmp')
  await fs.writeFile(temp, `${JSON.stringify(address)}\n`, { mode: FILE_MODE })
  await fs.rename(temp, file)
}

export async function readApiAddress(stateFile: string): Promise<ApiAddress | undefined> {
  try {
    const raw = JSON.parse(await fs.readFile(apiAddressFileFor(stateFile), 'utf8')) as Partial<ApiAddress>
    if (typeof raw.pid !== 'number' || typeof raw.url !== 'string') return undefined
    return { pid: raw.pid, host: String(raw.host ?? ''), url: raw.url }
  } catch {
    return undefined
  }
}

/** Remove the file if it is still this process's. */
export async function removeApiAddress(stateFile: string): Promise<void> {
  const current = await readApiAddress(stateFile)
  if (current?.pid === process.pid) await fs.unlink(apiAddressFileFor(stateFile)).catch(() => undefined)
}
