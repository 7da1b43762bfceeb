/**
 * Where mounts may go relative to each other: one folder per mount, and never one mount's folder
 * inside another's (unmounting the outer one would then fail as "busy", and the inner one would hide
 * part of the outer remote). A pure rule shared by the mount editor and the main process.
 */

/** A path with `\` as `/`, without trailing separators, compared case-sensitively as Linux does. */
function normalise(path: string): string {
  const slashed = path.trim().replace(/\\/g, '/').replace(/\/+/g, '/')
  return slashed.length > 1 ? slashed.replace(/\/$/, '') : slashed
}

/** Whether `inner` is `outer` itself or lies somewhere below it. */
export function isSameOrInside(inner: string, outer: string): boolean {
  const a = normalise(inner)
  const b = normalise(outer)
  return a === b || a.startsWith(b === '/' ? '/' : `${b}/`)
}

/**
 * Why `candidate` cannot use its folder next to the other mounts, in a sentence, or null when it can.
 * The candidate's own saved entry (same id) is not an "other" mount.
 */
export function mountFolderConflict(
  candidate: { id?: string | null; localPath: string },
  mounts: ReadonlyArray<{ id: string; localPath: string }>,
): string | null {
  const path = normalise(candidate.localPath)
  if (!path) return null
  for (const other of mounts) {
    if (other.id === candidate.id) continue
    const theirs = normalise(other.localPath)
    if (theirs === path) return `Another mount already uses ${other.localPath}: choose a different folder.`
    if (isSameOrInside(path, theirs))
      return `${candidate.localPath.trim()} is inside the folder of another mount (${other.localPath}): choose a folder outside it.`
    if (isSameOrInside(theirs, path))
      return `Another mount's folder (${other.localPath}) is inside ${candidate.localPath.trim()}: choose a folder that does not contain it.`
  }
  return null
}
