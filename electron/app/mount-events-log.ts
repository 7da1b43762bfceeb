/**
 * RMount's own part of a mount's log: its state changes (killed, restarting, degraded, recovered,
 * failed) as lines beside rclone's, and rclone's plumbing lines (its control endpoint, the generated
 * login) moved down to debug, so "Info and above" reads as the mount's story and "Everything" shows more.
 */
import type { LogLevel, LogLine, MountState } from '../../shared/mount-state.js'

/** rclone lines about RMount's own wiring, not about the person's files. */
const plumbing = [/^Using --user \S+ --pass /, /^Serving remote control on /, /^Serving on /]

/** rclone's line as the log shows it: plumbing lines at debug level. */
export function withLogLevel(line: LogLine): LogLine {
  return plumbing.some((pattern) => pattern.test(line.message)) ? { ...line, level: 'debug' } : line
}

const troubled: ReadonlySet<MountState> = new Set(['degraded', 'restarting', 'failed'])

/** The line RMount writes when a mount goes from `from` to `to`, or null when nothing changed. */
export function stateLine(from: MountState, to: MountState, reason: string, time: number): LogLine | null {
  if (from === to) return null
  const level: LogLevel = to === 'failed' ? 'error' : troubled.has(to) ? 'notice' : 'info'
  const what = to === 'mounted' && troubled.has(from) ? 'recovered, mounted again' : to
  // "unmounted: Unmounted." says it twice: a reason that starts with the state's own word stands alone.
  const message = !reason ? what : what === to && reason.toLowerCase().startsWith(to) ? reason : `${what}: ${reason}`
  return { time, level, object: 'RMount', message }
}

/** Merges RMount's lines into rclone's, oldest first (both lists are already in time order). */
export function mergeLogs(rclone: readonly LogLine[], own: readonly LogLine[]): LogLine[] {
  const merged: LogLine[] = []
  let j = 0
  for (const line of rclone) {
    while (j < own.length && own[j]!.time <= line.time) merged.push(own[j++]!)
    merged.push(line)
  }
  return merged.concat(own.slice(j))
}
