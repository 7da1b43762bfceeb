/**
 * One timer per interval for every mount of the process. A timer wakeup costs about 150 µs of CPU
 * on a small machine, so fifty mounts each on their own timer would cost fifty of them per second;
 * ticking together they cost one, and their probes reach the FsProbe helper as one batch.
 *
 * A tick that comes far later than due means the process did not run meanwhile (the machine slept,
 * or the process was stopped): the tick says so, so that mounts probe again at once and disregard
 * rounds whose timeouts ran out during the sleep.
 */
const groups = new Map<number, { timer: NodeJS.Timeout; subscribers: Set<Subscriber>; round: number }>()

/** Called with the round number, and `woke` when this tick ends a sleep. */
type Subscriber = (round: number, woke: boolean) => void

/** A gap of this many intervals between ticks counts as a sleep. */
const sleepIntervals = 3

/**
 * True when ticks `intervalMs` apart came at least three intervals apart on either clock: the
 * monotonic one runs on while a process is stopped, the wall clock also while the machine sleeps.
 */
export function sleptBetween(intervalMs: number, monotonicGapMs: number, wallGapMs: number): boolean {
  return Math.max(monotonicGapMs, wallGapMs) >= intervalMs * sleepIntervals
}

/** Calls `fn` every `intervalMs` with the round number, with every other subscriber of that interval; returns the unsubscribe. */
export function onTick(intervalMs: number, fn: Subscriber): () => void {
  let group = groups.get(intervalMs)
  if (!group) {
    const created = { timer: null as unknown as NodeJS.Timeout, subscribers: new Set<Subscriber>(), round: 0 }
    let last = { monotonic: performance.now(), wall: Date.now() }
    created.timer = setInterval(() => {
      const now = { monotonic: performance.now(), wall: Date.now() }
      const woke = sleptBetween(intervalMs, now.monotonic - last.monotonic, now.wall - last.wall)
      last = now
      created.round += 1
      created.subscribers.forEach((subscriber) => subscriber(created.round, woke))
    }, intervalMs)
    // Supervision alone must not keep a process alive; whoever holds a mount decides that.
    created.timer.unref()
    group = created
    groups.set(intervalMs, group)
  }
  group.subscribers.add(fn)
  const { subscribers, timer } = group
  return () => {
    subscribers.delete(fn)
    if (subscribers.size === 0 && groups.get(intervalMs)?.timer === timer) {
      clearInterval(timer)
      groups.delete(intervalMs)
    }
  }
}
