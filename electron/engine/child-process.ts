/** Starting helper programs so that they never outlive this process. */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'

let setprivLookup: { pathVar: string | undefined; found: string | null } | null = null

/**
 * util-linux's setpriv, from PATH (it is not in /usr/bin everywhere, e.g. NixOS), or null when this
 * system has none: children then still start, only without orphan protection (see system-check).
 */
export function findSetpriv(): string | null {
  if (process.platform !== 'linux') return null
  const pathVar = process.env.PATH
  if (!setprivLookup || setprivLookup.pathVar !== pathVar) {
    let found: string | null = null
    for (const dir of (pathVar ?? '').split(delimiter).filter(Boolean)) {
      try {
        accessSync(join(dir, 'setpriv'), constants.X_OK)
        found = join(dir, 'setpriv')
        break
      } catch {
        // not in this folder
      }
    }
    setprivLookup = { pathVar, found }
  }
  return setprivLookup.found
}

const spawnErrors = new WeakMap<ChildProcess, Error>()

/** Why the child could not be started (ENOENT, EACCES...), or undefined when it started. */
export function spawnErrorOf(child: ChildProcess): Error | undefined {
  return spawnErrors.get(child)
}

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
  const setpriv = findSetpriv()
  const child = setpriv
    ? spawn(setpriv, ['--pdeathsig', deathSignal, '--', command, ...args], spawnOptions)
    : spawn(command, args, spawnOptions)
  // A failed spawn emits 'error', which crashes the process when nobody listens: it is kept for
  // exited() and spawnErrorOf() instead, so it becomes an error code.
  child.on('error', (error) => {
    if (child.pid === undefined) spawnErrors.set(child, error)
  })
  return child
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

/** Exit code given to a child that never started, as a shell gives a command it cannot run. */
export const notStartedCode = 127

/**
 * Resolves with the exit code (or 128+signal) once the child has exited; at once if it already has.
 * A child that could not be started resolves with {@link notStartedCode} (see spawnErrorOf).
 */
export function exited(child: ChildProcess): Promise<number> {
  // Before exitCodeOf: Node sets exitCode to the negative errno of a failed spawn.
  if (spawnErrors.has(child)) return Promise.resolve(notStartedCode)
  const code = exitCodeOf(child)
  if (code !== null) return Promise.resolve(code)
  return new Promise((resolve) => {
    child.once('exit', () => resolve(exitCodeOf(child) ?? 1))
    child.once('error', () => {
      if (child.pid === undefined) resolve(notStartedCode)
    })
  })
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
