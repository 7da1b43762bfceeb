/**
 * Which health rounds of a mount run, and whose verdict counts. A round waits up to the probe timeout for a silent
 * remote; if the next round waited for it, a mount whose link came back would stay degraded for up to a whole extra
 * timeout. So a degraded (or just woken) mount starts a fresh round beside a stuck one, and a verdict counts only
 * when no round started later has spoken already, and when the round did not straddle a sleep: a timeout that ran
 * out while the process was stopped (SIGSTOP, a suspended machine) says nothing about the remote.
 */

/** Rounds of one mount allowed in flight at once: the stuck one and a fresh one. */
const maxInFlight = 2

/** The bookkeeping of one mount's rounds; times are performance.now() values. */
export class ProbeRounds {
  private inFlight = 0
  private spokeFrom = -Infinity
  private wokeAt = -Infinity

  /** Starts a round at `now` unless one is running and nothing is `urgent`; returns its start, or null to skip it. */
  begin(now: number, urgent: boolean): number | null {
    if (this.inFlight >= maxInFlight || (this.inFlight > 0 && !urgent)) return null
    this.inFlight += 1
    return now
  }

  end(): void {
    this.inFlight -= 1
  }

  /** The process just woke: rounds started before `now` are stale. */
  woke(now: number): void {
    this.wokeAt = now
  }

  /** True when the round started at `startedAt` may report its verdict; it then is the newest that has spoken. */
  speak(startedAt: number): boolean {
    if (startedAt < this.spokeFrom || startedAt < this.wokeAt) return false
    this.spokeFrom = startedAt
    return true
  }
}
