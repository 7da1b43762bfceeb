/** How the CLI talks: results and progress to stdout, errors and warnings to stderr, each on its own lines. */
import { RmountError } from '../../shared/errors.js'
import type { MountHealth } from '../../shared/mount-state.js'

/** A line of results or progress, on stdout. */
export const print = (line: string): void => void process.stdout.write(`${line}\n`)

/** A line about a failure or a warning, on stderr. */
export const printError = (line: string): void => void process.stderr.write(`${line}\n`)

/** One mount's health on one line; a failure also names its code and gives the last lines of rclone's log. */
export function describeHealth(name: string, health: MountHealth): string {
  const pending = health.pendingUploads + health.uploadsInProgress
  // lastError outlives the state it caused: name its code only while it is the reason given.
  const error = health.lastError?.message === health.reason ? health.lastError : null
  const log = health.state === 'failed' && error?.logTail?.length ? logText(error.logTail) : ''
  return `[${name}] ${health.state}: ${error ? `${error.code}: ` : ''}${health.reason}${pending ? ` (${pending} upload(s) pending)` : ''}${log}`
}

/** Prints a mount's new state: trouble (degraded, failed) on stderr, the rest on stdout. */
export function reportState(name: string, health: MountHealth): void {
  const trouble = health.state === 'failed' || health.state === 'degraded'
  ;(trouble ? printError : print)(describeHealth(name, health))
}

function logText(lines: string[]): string {
  return `\n  rclone log:\n    ${lines.join('\n    ')}`
}

/** An error with its code and, for rclone's failures, the last lines of its log. */
export function errorText(error: unknown): string {
  if (error instanceof RmountError) return `${error.code}: ${error.message}${error.logTail.length ? logText(error.logTail) : ''}`
  return error instanceof Error ? error.message : String(error)
}
