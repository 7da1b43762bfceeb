/**
 * rclone's upload retries, read from its log. rclone retries a failed upload forever with a growing
 * delay (capped at a minute) and says so only in the log (`failed to upload try #N, will retry in 4s: …`),
 * so this is where RMount learns that uploads keep failing, why, and when the next try is.
 */
import type { Remote } from '../../shared/config.js'
import type { LogLine } from '../../shared/mount-state.js'
import { classifyRcloneError, describeRemote, failureMessage } from './classify-error.js'

/** The latest failed try of one file's upload. */
export interface UploadFailure {
  /** The file, relative to the mount root, as rclone names it. */
  file: string
  /** How many tries have failed in a row. */
  tries: number
  /** How long rclone waits before the next try, in ms. */
  retryInMs: number
  /** When rclone tries again (ms since the epoch). */
  retryAt: number
  /** rclone's reason, without its "failed to transfer" preamble. */
  cause: string
}

const failedLine =
  /^vfs cache: failed to upload try #(\d+), will retry in (\S+?): (?:vfs cache: )?(?:failed to transfer file from cache to remote: )?(.*)$/s
const succeededLine = /^vfs cache: upload succeeded try #/
const goDurationPart = /(\d+(?:\.\d+)?)(h|ms|m|s|µs|us|ns)/g
const unitMs: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, µs: 1e-3, us: 1e-3, ns: 1e-6 }

/** A Go duration as rclone prints it (`500ms`, `8s`, `1m4s`, `1h0m0s`) in ms; null when it is not one. */
export function parseGoDuration(text: string): number | null {
  if (!/^(\d+(\.\d+)?(h|ms|m|s|µs|us|ns))+$/.test(text)) return null
  let ms = 0
  for (const [, value, unit] of text.matchAll(goDurationPart)) ms += Number(value) * unitMs[unit!]!
  return ms
}

/** The failed try a log line reports, or null when the line is not one. */
export function parseUploadFailure(line: LogLine): UploadFailure | null {
  const match = failedLine.exec(line.message)
  if (!match) return null
  const retryInMs = parseGoDuration(match[2]!) ?? 0
  return { file: line.object ?? '(a file)', tries: Number(match[1]), retryInMs, retryAt: line.time + retryInMs, cause: match[3]!.trim() }
}

/** Uploads that fail this many times in a row make a problem worth showing; one failed try is often a blip. */
export const failingAfterTries = 2

/** The files whose latest upload try failed, fed every log line; a file is forgotten once it is uploaded. */
export class UploadFailures {
  private readonly failing = new Map<string, UploadFailure>()

  /** Takes in one log line; returns the failure when the line reports one. */
  observe(line: LogLine): UploadFailure | null {
    if (succeededLine.test(line.message)) {
      this.failing.delete(line.object ?? '')
      return null
    }
    const failure = parseUploadFailure(line)
    if (failure) this.failing.set(failure.file, failure)
    return failure
  }

  /** Forgets all: nothing waits to upload any more (the files were uploaded or removed). */
  clear(): void {
    this.failing.clear()
  }

  /** The file that has failed most often, once some file has failed `failingAfterTries` times; else null. */
  current(): UploadFailure | null {
    let worst: UploadFailure | null = null
    for (const failure of this.failing.values()) if (!worst || failure.tries > worst.tries) worst = failure
    return worst && worst.tries >= failingAfterTries ? worst : null
  }
}

/**
 * The sentence for a mount whose uploads keep failing: rclone's cause, what RMount's rules make of it,
 * and that nothing is lost. Stable across tries, so the mount's state does not change at every retry.
 */
export function uploadFailingMessage(failure: UploadFailure, remote: Remote, remotePath: string): string {
  const code = classifyRcloneError(failure.cause)
  const advice = code ? ` ${failureMessage(code, remote, remotePath)}` : ' Check the log for the cause.'
  return `Uploads to ${describeRemote(remote, remotePath)} keep failing (${failure.cause}). The files wait in the cache and rclone keeps retrying.${advice}`
}
