/** How the CLI talks: results and progress to stdout, errors and warnings to stderr, each on its own lines. */
import { RmountError } from '../../shared/errors.js'
import type { MountHealth } from '../../shared/mount-state.js'

/** A line of results or progress, on stdout. */
export const print = (line: string): void => void process.stdout.write(`${line}\n`)

/** A line about a failure or a warning, on stderr. */
export const printError = (line: string): void => void process.stderr.write(`${line}\n`)

/** One mount's health on one line. */
export function describeHealth(name: string, health: MountHealth): string {
  const pending = health.pendingUploads + health.uploadsInProgress
  return `[${name}] ${health.state}: ${health.reason}${pending ? ` (${pending} upload(s) pending)` : ''}`
}

/** An error with its code and, for rclone's failures, the last lines of its log. */
export function errorText(error: unknown): string {
  if (error instanceof RmountError)
    return `${error.code}: ${error.message}${error.logTail.length ? `\n  rclone log:\n    ${error.logTail.join('\n    ')}` : ''}`
  return error instanceof Error ? error.message : String(error)
}
