/**
 * The watchdog between the app and each `rclone mount`: a few lines of POSIX sh (one small process per
 * mount, no Node) that make sure a dead app never leaves a dead folder.
 *
 * rclone gets SIGTERM when the app dies (pdeathsig) and unmounts, but its unmount fails while a program
 * has its working directory or a file open inside the folder, and the folder stays a dead FUSE mount
 * ("Transport endpoint is not connected"). The watchdog is rclone's parent and outlives both: when the
 * app dies (its own pdeathsig) or it is told to stop, it sends rclone SIGTERM, then SIGKILL after a
 * short grace; and whenever rclone is gone, for whatever reason, it lazily unmounts the folder if
 * rclone's mount is still there. It then exits with rclone's own status, so the supervisor sees
 * rclone's exit (and restarts only once the folder is clear).
 *
 * A normal unmount is not disturbed: `fusermount -u` makes rclone exit 0, nothing of rclone's is left
 * in the mount table, and the watchdog just exits 0.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { createInterface } from 'node:readline'
import { findSetpriv } from './child-process.js'
import { findFusermount } from './fuse.js'

/** Seconds rclone gets between SIGTERM and SIGKILL. */
const graceSeconds = '1'

// Constant text: every value arrives as a positional parameter ($1...), never spliced into the script.
// $1 mount point, $2 the same as /proc/self/mountinfo spells it (octal escapes), $3 fusermount, $4 grace
// seconds, then the rclone command line. Prints rclone's pid once on stdout, then never writes again, so
// a closed pipe (the app died) cannot kill it. `wait` returns early when a trapped signal arrives, so it
// loops until rclone really is gone; the shell remembers the status of a child it reaped meanwhile.
const script = `
mnt=$1 escaped=$2 fusermount=$3 grace=$4
shift 4
pid= killer= stopping=
mounts() {
  n=0
  while read -r _ _ _ _ point rest; do
    if [ "$point" = "$escaped" ]; then
      case "$rest" in *" - fuse.rclone "*) n=$((n + 1)) ;; esac
    fi
  done </proc/self/mountinfo
}
stop() {
  stopping=1
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null
  if [ -z "$killer" ]; then
    (sleep "$grace"; kill -KILL "$pid" 2>/dev/null) &
    killer=$!
  fi
}
trap stop TERM INT HUP
mounts
before=$n
"$@" </dev/null >/dev/null 2>&1 &
pid=$!
[ -n "$stopping" ] && stop
trap '' PIPE
echo "$pid"
exec >/dev/null
while :; do
  wait "$pid"
  code=$?
  kill -0 "$pid" 2>/dev/null || break
done
[ -n "$killer" ] && kill "$killer" 2>/dev/null
mounts
[ "$n" -gt "$before" ] && "$fusermount" -uz "$mnt" 2>/dev/null
exit "$code"
`

/** The kernel's spelling of a path in /proc/self/mountinfo: space, tab, newline and backslash as octal escapes. */
export function mountinfoEscape(path: string): string {
  return path.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`)
}

/** A watched rclone: `child` is the watchdog (its exit status is rclone's), `pid` is rclone's. */
export interface WatchedProcess {
  child: ChildProcess
  pid: number
}

/**
 * Starts `command args` (an rclone mount of `mountPoint`) under a watchdog, in its own process group
 * so a Ctrl-C in the terminal reaches only the supervisor. Resolves once rclone's pid is known.
 * SIGTERM to `child` stops rclone (SIGKILL after a grace) and clears the folder; the watchdog itself
 * gets SIGTERM from the kernel when this process dies, however it dies.
 */
export async function spawnWatched(
  command: string,
  args: readonly string[],
  options: { mountPoint: string; env: NodeJS.ProcessEnv },
): Promise<WatchedProcess> {
  // The shell would start fine and only its child fail (exit 127): say why rclone cannot run instead (ENOENT, EACCES).
  accessSync(command, constants.X_OK)
  const fusermount = (await findFusermount()) ?? 'fusermount3'
  const setpriv = findSetpriv()
  const shell = [
    '/bin/sh',
    '-c',
    script,
    'rmount-watchdog',
    options.mountPoint,
    mountinfoEscape(options.mountPoint),
    fusermount,
    graceSeconds,
  ]
  const [file, ...rest] = setpriv ? [setpriv, '--pdeathsig', 'TERM', '--', ...shell] : shell
  // stderr is never a pipe (see rclone-config.ts); stdout carries the one pid line.
  const child = spawn(file!, [...rest, command, ...args], { env: options.env, stdio: ['ignore', 'pipe', 'ignore'], detached: true })
  const pid = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! })
    const fail = (why: string) => reject(new Error(`The rclone watchdog ${why} before starting rclone.`))
    lines.once('line', (line) => {
      lines.close()
      child.stdout!.destroy()
      const value = Number(line)
      if (Number.isInteger(value) && value > 0) resolve(value)
      else fail(`printed ${JSON.stringify(line)}`)
    })
    child.once('error', (error) => fail(`could not start (${error.message})`))
    child.once('exit', () => fail('exited'))
  })
  return { child, pid }
}
