/** Starting helper programs so that they never outlive this process. */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process'
import { existsSync } from 'node:fs'

const setpriv = process.platform === 'linux' && existsSync('/usr/bin/setpriv') ? '/usr/bin/setpriv' : null

/**
 * Spawns `command args` with an argument array (never a shell string). On Linux the kernel sends
 * `signal` to the child when this process dies, however it dies (setpriv --pdeathsig), so even a
 * SIGKILLed app leaves no rclone behind; rclone unmounts cleanly on SIGTERM.
 */
export function spawnTied(
  command: string,
  args: readonly string[],
  options: SpawnOptions & { deathSignal?: 'TERM' | 'KILL' } = {},
): ChildProcess {
  const { deathSignal = 'TERM', ...spawnOptions } = options
  if (setpriv) return spawn(setpriv, ['--pdeathsig', deathSignal, '--', command, ...args], spawnOptions)
  return spawn(command, args, spawnOptions)
}

/** True while a process with this pid exists (a zombie counts until reaped). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Resolves with the exit code (or 128+signal) once the child has exited; at once if it already has. */
export function exited(child: ChildProcess): Promise<number> {
  const code = exitCodeOf(child)
  if (code !== null) return Promise.resolve(code)
  return new Promise((resolve) => child.once('exit', () => resolve(exitCodeOf(child) ?? 1)))
}

export function exitCodeOf(child: ChildProcess): number | null {
  if (child.exitCode !== null) return child.exitCode
  if (child.signalCode !== null) return 128 + (signalNumbers[child.signalCode] ?? 0)
  return null
}

const signalNumbers: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGPIPE: 13, SIGTERM: 15 }

const signalWords: Record<number, string> = { 1: 'hung up', 2: 'interrupted', 9: 'killed', 13: 'broken pipe', 15: 'terminated' }

/** An rclone exit in plain words: "rclone stopped unexpectedly (killed)" rather than "exited with code 137". */
export function describeExit(code: number): string {
  const signal = code > 128 ? signalWords[code - 128] : undefined
  return `rclone stopped unexpectedly (${signal ?? `exit code ${code}`})`
}
