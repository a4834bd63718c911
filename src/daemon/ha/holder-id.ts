import { randomBytes } from 'node:crypto'
import os from 'node:os'

/**
 * This process's name in the lease row: `host:pid:random`. The random part makes it unique even when two
 * containers share a host name and a pid (pid 1 in every Kubernetes pod), and across restarts of one process id.
 */
export function newHolderId(): string {
  return `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`
}
