/**
 * One timer per interval for every mount of the process. A timer wakeup costs about 150 µs of CPU
 * on a small machine, so fifty mounts each on their own timer would cost fifty of them per second;
 * ticking together they cost one, and their probes reach the FsProbe helper as one batch.
 */
const groups = new Map<number, { timer: NodeJS.Timeout; subscribers: Set<(round: number) => void>; round: number }>()

/** Calls `fn` every `intervalMs` with the round number, with every other subscriber of that interval; returns the unsubscribe. */
export function onTick(intervalMs: number, fn: (round: number) => void): () => void {
  let group = groups.get(intervalMs)
  if (!group) {
    const created = { timer: null as unknown as NodeJS.Timeout, subscribers: new Set<(round: number) => void>(), round: 0 }
    created.timer = setInterval(() => {
      created.round += 1
      created.subscribers.forEach((subscriber) => subscriber(created.round))
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
