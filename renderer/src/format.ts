/** Numbers and times as a person reads them in a compact row. */
import { formatBytes } from '../../shared/format-bytes.js'
import type { MountState } from '../../shared/mount-state.js'

/** "1.2 MB/s", rounded; "idle" when nothing moves. */
export function formatRate(bytesPerSecond: number): string {
  return bytesPerSecond >= 0.5 ? `${formatBytes(bytesPerSecond)}/s` : 'idle'
}

/** How long something has lasted: "12 s", "5 min", "3 h", "2 days". */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000))
  if (seconds < 60) return `${seconds} s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes} min`
  const hours = Math.floor(minutes / 60)
  if (hours < 48) return `${hours} h`
  return `${Math.floor(hours / 24)} days`
}

/** "just now", "42 s ago", "5 min ago", "3 h ago", "2 days ago". */
export function formatRelative(time: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - time) / 1000))
  if (seconds < 5) return 'just now'
  if (seconds < 60) return `${seconds} s ago`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes} min ago`
  const hours = Math.floor(minutes / 60)
  if (hours < 48) return `${hours} h ago`
  return `${Math.floor(hours / 24)} days ago`
}

/** The badge text of each state: the state is never told by color alone. */
export const stateLabels: Record<MountState, string> = {
  unmounted: 'Unmounted',
  mounting: 'Mounting',
  mounted: 'Mounted',
  degraded: 'Degraded',
  restarting: 'Restarting',
  failed: 'Failed',
  unmounting: 'Unmounting',
}
