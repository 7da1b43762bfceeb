/** The one line above the mount list that says how all mounts are, worst news included: "48 mounted · 1 degraded · 3 uploading". */
import type { MountState } from '../../shared/mount-state.js'

// The order the line reads in: what works first, then what needs a look.
const shown: ReadonlyArray<MountState> = ['mounted', 'mounting', 'degraded', 'restarting', 'failed', 'unmounting', 'unmounted']

/** The summary of the mounts' health; a mount with no health yet counts as unmounted. */
export function mountsSummary(
  ids: readonly string[],
  health: Readonly<Record<string, { state: MountState; pendingUploads: number; uploadsInProgress: number } | undefined>>,
): string {
  const counts = new Map<MountState, number>()
  let uploading = 0
  for (const id of ids) {
    const h = health[id]
    const state = h?.state ?? 'unmounted'
    counts.set(state, (counts.get(state) ?? 0) + 1)
    if (h && h.pendingUploads + h.uploadsInProgress > 0) uploading += 1
  }
  const parts = shown.filter((state) => counts.get(state)).map((state) => `${counts.get(state)} ${state}`)
  if (uploading) parts.push(`${uploading} uploading`)
  return parts.join(' · ')
}
