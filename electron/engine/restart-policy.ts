/** When to restart a mount that died, and when to give up: pure functions over plain data. */

export interface RestartPolicy {
  maxRestarts: number
  windowMs: number
  /** Delay before the second restart; the first is immediate. */
  baseDelayMs: number
  maxDelayMs: number
}

export const defaultRestartPolicy: RestartPolicy = { maxRestarts: 5, windowMs: 60_000, baseDelayMs: 500, maxDelayMs: 30_000 }

export type RestartDecision = { restart: true; delayMs: number } | { restart: false }

/**
 * Decides on a restart given the times of earlier restarts. The first restart in a window is
 * immediate; later ones back off exponentially with equal jitter (between half and all of the step),
 * so many mounts of one dead server do not reconnect in lockstep.
 */
export function decideRestart(
  policy: RestartPolicy,
  restartTimes: readonly number[],
  now: number,
  random: () => number = Math.random,
): RestartDecision {
  const recent = restartTimes.filter((t) => now - t < policy.windowMs).length
  if (recent >= policy.maxRestarts) return { restart: false }
  if (recent === 0) return { restart: true, delayMs: 0 }
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (recent - 1))
  return { restart: true, delayMs: Math.round(ceiling / 2 + (random() * ceiling) / 2) }
}
