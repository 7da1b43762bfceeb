/** CPU time and memory of other processes, read from /proc. */
import { execFileSync } from 'node:child_process'
import { readFile } from 'node:fs/promises'

const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100

/** User plus system CPU time of all threads of `pid`, in ms (resolution 1/CLK_TCK); 0 when it is gone. */
export async function cpuMs(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
    // Field 2 (comm) may hold spaces and ')': count from the last ')'. utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond
  } catch {
    return 0
  }
}

/** Sum of cpuMs over `pids`. */
export async function totalCpuMs(pids: readonly number[]): Promise<number> {
  return (await Promise.all(pids.map(cpuMs))).reduce((a, b) => a + b, 0)
}

/**
 * Proportional set size in bytes: each shared page counted as its share, so the sum over fifty rclones counts
 * their shared binary once, unlike RSS. 0 when the process is gone.
 */
export async function pssBytes(pid: number | 'self'): Promise<number> {
  try {
    const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8')
    const kb = /^Pss:\s+(\d+) kB/m.exec(rollup)?.[1]
    return kb ? Number(kb) * 1024 : 0
  } catch {
    return 0
  }
}

/** Sum of pssBytes over `pids`. */
export async function totalPssBytes(pids: readonly number[]): Promise<number> {
  return (await Promise.all(pids.map(pssBytes))).reduce((a, b) => a + b, 0)
}

/** True when `pid` is an rclone whose command line names `dir`: a reused pid belongs to someone else and is never killed. */
export async function isRcloneUnder(pid: number, dir: string): Promise<boolean> {
  try {
    const [comm, cmdline] = await Promise.all([readFile(`/proc/${pid}/comm`, 'utf8'), readFile(`/proc/${pid}/cmdline`, 'utf8')])
    return comm.trim() === 'rclone' && dir !== '' && cmdline.includes(dir)
  } catch {
    return false
  }
}

export const mib = (bytes: number) => bytes / 1024 / 1024
