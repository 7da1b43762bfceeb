/**
 * The current transfer rate of a mount, from successive byte counters. rclone's own `speed` is an
 * average since the transfers began, so it keeps showing "21 MB/s" long after the uploads ended.
 */

/** One reading of rclone's cumulative byte counter. */
export interface ByteSample {
  bytes: number
  time: number
}

/** The span the rate is measured over: short enough to fall to idle soon after transfers stop. */
export const rateWindowMs = 3000

/**
 * The samples to keep after a new reading: those within the window, plus the one just before it (the
 * rate's starting point). A counter that went down (rclone restarted) starts afresh.
 */
export function addSample(samples: readonly ByteSample[], next: ByteSample): ByteSample[] {
  const last = samples.at(-1)
  if (last && next.bytes < last.bytes) return [next]
  if (last && next.bytes === last.bytes) return [...samples]
  const kept = [...samples, next]
  const firstInWindow = kept.findIndex((s) => next.time - s.time <= rateWindowMs)
  return kept.slice(Math.max(0, firstInWindow - 1))
}

/**
 * Bytes per second over the last window as of `now`, 0 when the counter has not moved within it.
 * Only changes of the counter are samples, so a quiet counter reads as idle without any new reading.
 */
export function rateAt(samples: readonly ByteSample[], now: number): number {
  const last = samples.at(-1)
  if (!last || samples.length < 2 || now - last.time > rateWindowMs) return 0
  const start = samples[0]!
  return ((last.bytes - start.bytes) * 1000) / Math.max(last.time - start.time, 1000)
}

/** What "Pending uploads" says: files queued plus uploading, and when waiting ones start. */
export function pendingText(queued: number, uploading: number, startsInMs: number | null): string {
  const total = queued + uploading
  if (total === 0) return '0'
  if (uploading > 0) return `${total} (${uploading} uploading)`
  if (startsInMs !== null && startsInMs > 0) return `${total}, uploading in ${Math.ceil(startsInMs / 1000)} s`
  return `${total}, starting`
}
