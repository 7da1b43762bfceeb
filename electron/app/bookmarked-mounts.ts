/** Which mounts the file manager's sidebar lists: those whose folder is mounted, under their names. */
import { mountName } from '../../shared/config.js'
import type { MountState } from '../../shared/mount-state.js'
import type { BookmarkEntry } from './gtk-bookmarks.js'

// Restarting and unmounting keep the entry, so a short restart does not make the sidebar flicker.
const listed: ReadonlySet<MountState> = new Set(['mounted', 'degraded', 'restarting', 'unmounting'])

/** The sidebar entries for `mounts`, in the config's order. */
export function bookmarkedMounts(
  mounts: ReadonlyArray<{ id: string; localPath: string; name?: string | undefined }>,
  health: Readonly<Record<string, { state: MountState } | undefined>>,
): BookmarkEntry[] {
  return mounts.filter((m) => listed.has(health[m.id]?.state ?? 'unmounted')).map((m) => ({ path: m.localPath, name: mountName(m) }))
}
