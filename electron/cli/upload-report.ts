/** The lines `rmount up` prints about uploads: what is left and how fast it goes, and each failed try. */
import { formatBytes } from '../../shared/format-bytes.js'
import type { UploadFailure } from '../engine/index.js'

/** A count of bytes sent at a moment, from rclone's running total. */
export interface TransferSample {
  bytes: number
  time: number
}

/** Bytes per second between two samples; 0 when nothing moved or no time passed. */
export function rateBetween(before: TransferSample, after: TransferSample): number {
  const seconds = (after.time - before.time) / 1000
  return seconds > 0 ? Math.max(0, after.bytes - before.bytes) / seconds : 0
}

/**
 * `[name] uploads waiting: 2 file(s), 1.2 MB left, 350 kB/s`; the rate is left out until there are two
 * samples. While uploads keep failing, rclone's byte count grows with tries that are then thrown away,
 * so the line gives the next try instead of a rate.
 */
export function progressLine(
  name: string,
  left: { files: number; bytes: number },
  rate: number | null,
  failing: UploadFailure | null = null,
): string {
  const speed = failing
    ? `, failing: next try at ${clock(failing.retryAt)}`
    : rate === null
      ? ''
      : rate > 0
        ? `, ${formatBytes(rate)}/s`
        : ', nothing moving'
  return `[${name}] uploads waiting: ${left.files} file(s), ${formatBytes(left.bytes)} left${speed}`
}

/** Local time as HH:MM:SS. */
function clock(time: number): string {
  return new Date(time).toTimeString().slice(0, 8)
}

/** A delay as rclone's retry schedule has them: `500 ms`, `4 s`, `1 min`. */
export function formatDelay(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`
  return `${Math.round(ms / 6000) / 10} min`
}

/** `[name] upload of a.txt failed (try #3): cause; next try in 4 s, at 21:45:03` (local time). */
export function retryLine(name: string, failure: UploadFailure): string {
  return `[${name}] upload of ${failure.file} failed (try #${failure.tries}): ${failure.cause}; next try in ${formatDelay(failure.retryInMs)}, at ${clock(failure.retryAt)}`
}
