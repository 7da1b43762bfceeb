/**
 * When RMount interrupts the user with a desktop notification: a mount failed, gave up restarting, or
 * came back after trouble. Routine mounting and unmounting stay silent: the user asked for them.
 * Clicking a notification opens the window on that mount (see window-link.ts).
 */
import type { MountHealth, MountState } from '../../shared/mount-state.js'

/** A notification to show; `mountId` is the mount a click opens. */
export interface MountNotification {
  title: string
  body: string
  mountId: string
}

/**
 * States a mount passes through on its way somewhere. They do not count as "where the mount was":
 * mounted → restarting → mounted (a crash repaired in 150 ms) is no news.
 */
const passing: ReadonlySet<MountState> = new Set(['mounting', 'restarting', 'unmounting'])

/**
 * What the policy remembers of a mount: where it last settled, and whether it has been in trouble
 * (failed or degraded) without being mounted and answering since. Trouble outlives `unmounted`: a
 * Retry unmounts a failed mount before mounting it again, and its success is the news.
 */
export interface MountMemory {
  settled: MountState
  troubled: boolean
}

/** A mount the policy has not seen yet. */
export const freshMemory: MountMemory = { settled: 'unmounted', troubled: false }

/** The memory after the mount moves to `next`. */
export function nextMemory(memory: MountMemory, next: MountState): MountMemory {
  return {
    settled: passing.has(next) ? memory.settled : next,
    troubled: next === 'failed' || next === 'degraded' ? true : next === 'mounted' ? false : memory.troubled,
  }
}

/**
 * The notification for a mount whose health is now `next`, given what was remembered before this
 * update, or null. A failure is told once per fall (not again while it stays failed); a mount that
 * was in trouble is told to be back when it is mounted again.
 */
export function notificationFor(memory: MountMemory, next: MountHealth, mount: { id: string; name: string }): MountNotification | null {
  const mountId = mount.id
  if (next.state === 'failed' && memory.settled !== 'failed') {
    const message = next.lastError?.message ?? next.reason
    if (next.lastError?.code === 'RESTART_LIMIT') {
      return {
        title: `${mount.name} stopped restarting`,
        body: `${message} Choose Retry in the tray once the remote is back.`,
        mountId,
      }
    }
    return { title: `${mount.name} failed`, body: message, mountId }
  }
  if (next.state === 'mounted' && memory.troubled) {
    return { title: `${mount.name} is back`, body: `${next.localPath} is mounted and the remote answers again.`, mountId }
  }
  return null
}

/**
 * Remembers each mount and turns its health updates into notifications. Feed it every health
 * update; it returns the notification to show, if any.
 */
export function createNotificationPolicy(): {
  update(mount: { id: string; name: string }, health: MountHealth): MountNotification | null
  forget(id: string): void
} {
  const memories = new Map<string, MountMemory>()
  return {
    update(mount, health) {
      const memory = memories.get(mount.id) ?? freshMemory
      memories.set(mount.id, nextMemory(memory, health.state))
      return notificationFor(memory, health, mount)
    },
    forget(id) {
      memories.delete(id)
    },
  }
}
