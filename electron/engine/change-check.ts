/**
 * How changes made on the remote by other clients reach the mount. Neither S3 nor SFTP can tell
 * rclone about changes (no ChangeNotify in rclone; `--poll-interval` only logs "not supported by this
 * remote"), so rclone sees a change only when it lists the folder again, and it trusts a cached
 * listing for `--dir-cache-time` (5 minutes by default). That time is the mount's "look for changes
 * every N s". It costs nothing while nobody looks: a listing is redone only when a folder is read
 * after it expired. The kernel adds at most `--attr-timeout` (1 s) for names it looked up already.
 */

/** The rclone flags for a mount that looks for remote changes every `seconds`. */
export function changeCheckArgs(seconds: number): string[] {
  return ['--dir-cache-time', `${seconds}s`]
}

/** One call to a mount's rc endpoint. */
export interface RcCall {
  method: string
  params: Record<string, string>
}

/**
 * The rc calls that make every change on the remote visible now. `vfs/forget` drops every cached
 * listing, so each folder is read afresh when next opened; but rclone keeps the listing of a folder
 * that holds a file not yet uploaded (and of each folder above it), so those folders, given by
 * `pendingFiles`, and the root are read again at once with `vfs/refresh`, which keeps such files.
 */
export function refreshCalls(pendingFiles: readonly string[]): RcCall[] {
  const dirs = new Set<string>()
  for (const file of pendingFiles) {
    const parts = file.split('/').filter(Boolean)
    for (let depth = 1; depth < parts.length; depth++) dirs.add(parts.slice(0, depth).join('/'))
  }
  const nested = [...dirs].sort()
  return [
    { method: 'vfs/forget', params: {} },
    // Without parameters vfs/refresh reads the root; folders are named as dir0, dir1, ...
    { method: 'vfs/refresh', params: {} },
    ...(nested.length ? [{ method: 'vfs/refresh', params: Object.fromEntries(nested.map((dir, i) => [`dir${i}`, dir])) }] : []),
  ]
}
