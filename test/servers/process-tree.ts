/**
 * Process bookkeeping for test servers, read straight from /proc.
 *
 * A pid alone is not an identity: once a process is reaped its number can be handed to an unrelated
 * process, and signalling that one would be a nasty test bug. So every process is tracked as
 * (pid, start time), and a process whose start time changed counts as gone.
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs'

/** A process as seen in /proc/<pid>/stat. */
export interface ProcInfo {
  pid: number
  ppid: number
  /** One letter: R, S, D, T (stopped), t (traced), Z (zombie), ... */
  state: string
  /** Clock ticks since boot at which the process started: with the pid, a unique identity. */
  startTime: number
}

/** Reads /proc/<pid>/stat; null when there is no such process. */
export function readProc(pid: number): ProcInfo | null {
  let stat: string
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return null
  }
  // The command name (field 2) is in parentheses and may itself contain spaces and ')', so split after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  // fields[0] is field 3 of stat(5), so field N is fields[N - 3].
  return { pid, ppid: Number(fields[1]), state: fields[0] ?? '?', startTime: Number(fields[19]) }
}

/** Every process on the machine; /proc/<pid>/task/<tid>/children would be cheaper but needs CONFIG_PROC_CHILDREN, which this kernel lacks. */
export function listProcs(): ProcInfo[] {
  const procs: ProcInfo[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    const info = readProc(Number(name))
    if (info) procs.push(info)
  }
  return procs
}

/** `roots` and all their descendants, parents before children; zombies are left out since they can no longer act. */
export function processTree(roots: readonly number[]): ProcInfo[] {
  const byParent = new Map<number, ProcInfo[]>()
  const byPid = new Map<number, ProcInfo>()
  for (const info of listProcs()) {
    byPid.set(info.pid, info)
    const siblings = byParent.get(info.ppid)
    if (siblings) siblings.push(info)
    else byParent.set(info.ppid, [info])
  }
  const result: ProcInfo[] = []
  const seen = new Set<number>()
  const queue = roots.map((pid) => byPid.get(pid)).filter((info): info is ProcInfo => info !== undefined)
  while (queue.length > 0) {
    const info = queue.shift()!
    if (seen.has(info.pid)) continue
    seen.add(info.pid)
    if (info.state !== 'Z') result.push(info)
    queue.push(...(byParent.get(info.pid) ?? []))
  }
  return result
}

/** True while the very process `info` describes still runs (not reaped, not a zombie, pid not reused). */
export function isRunning(info: Pick<ProcInfo, 'pid' | 'startTime'>): boolean {
  const now = readProc(info.pid)
  return now !== null && now.startTime === info.startTime && now.state !== 'Z'
}

/** Sends `signal` to each process that is still the one described; a process that vanished meanwhile is not an error. */
export function signalAll(procs: readonly ProcInfo[], signal: NodeJS.Signals): void {
  for (const info of procs) {
    if (!isRunning(info)) continue
    try {
      process.kill(info.pid, signal)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error
    }
  }
}

/**
 * True when one of `pids` holds a listening IPv4 TCP socket on host:port (or 0.0.0.0:port), in its own network
 * namespace. Connecting to the port is not proof enough: after a lost race for a free port, another program may own it.
 */
export function ownsListener(pids: readonly number[], port: number, host = '127.0.0.1'): boolean {
  const portHex = port.toString(16).toUpperCase().padStart(4, '0')
  // Hex in host byte order, so 127.0.0.1 reads 0100007F on x86 and arm64.
  const hostHex = host
    .split('.')
    .reverse()
    .map((octet) => Number(octet).toString(16).toUpperCase().padStart(2, '0'))
    .join('')
  const inodes = new Set<string>()
  let table = ''
  try {
    // The listener's own view: a server inside a network namespace is not in this process's /proc/net/tcp.
    table = readFileSync(`/proc/${pids[0]}/net/tcp`, 'utf8')
  } catch {
    return false
  }
  for (const line of table.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/)
    const local = cols[1]
    // State 0A is TCP_LISTEN.
    if (cols[3] === '0A' && (local === `${hostHex}:${portHex}` || local === `00000000:${portHex}`) && cols[9])
      inodes.add(`socket:[${cols[9]}]`)
  }
  if (inodes.size === 0) return false
  for (const pid of pids) {
    let fds: string[]
    try {
      fds = readdirSync(`/proc/${pid}/fd`)
    } catch {
      continue
    }
    for (const fd of fds) {
      try {
        if (inodes.has(readlinkSync(`/proc/${pid}/fd/${fd}`))) return true
      } catch {
        // The fd was closed between readdir and readlink.
      }
    }
  }
  return false
}
