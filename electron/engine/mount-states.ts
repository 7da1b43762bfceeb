/** The transitions a mount may make; docs/ARCHITECTURE.md draws them. */
import type { MountState } from '../../shared/mount-state.js'

const transitions: Record<MountState, readonly MountState[]> = {
  unmounted: ['mounting'],
  mounting: ['mounted', 'failed', 'unmounting'],
  mounted: ['degraded', 'restarting', 'unmounting', 'failed'],
  degraded: ['mounted', 'restarting', 'unmounting', 'failed'],
  restarting: ['mounted', 'restarting', 'failed', 'unmounting'],
  failed: ['mounting', 'unmounting'],
  // An unmount refused (uploads pending, files open) returns the mount to service.
  unmounting: ['unmounted', 'mounted', 'degraded', 'failed'],
}

export function canTransition(from: MountState, to: MountState): boolean {
  return transitions[from].includes(to)
}

/** States in which an rclone process should be running and watched. */
export function isLive(state: MountState): boolean {
  return state === 'mounted' || state === 'degraded'
}
